package dev.jjf.attach;

/**
 * A process that looked like a HotSpot JVM we may attach to.
 *
 * @param pid the process id as jjf sees it
 * @param nsPid the same process's id in its own pid namespace (differs inside a container)
 * @param name the process's command name from /proc
 * @param otherMountNamespace whether paths the JVM opens (heap dumps, agents) resolve in another
 *     file-system view than jjf's, as in a container
 */
public record AttachTarget(long pid, long nsPid, String name, boolean otherMountNamespace) {
    String describe() {
        return "pid " + pid + " (" + name + (nsPid != pid ? ", pid " + nsPid + " in its namespace" : "") + ")";
    }
}
