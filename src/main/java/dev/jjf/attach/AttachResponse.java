package dev.jjf.attach;

/**
 * The JVM's answer to one attach operation.
 *
 * @param status the operation's result code: 0 when it succeeded (for {@code jcmd} and unknown
 *     operations HotSpot sends JNI_ERR, -1, and the reason in {@code output})
 * @param output everything the JVM wrote after the status line
 */
public record AttachResponse(int status, String output) {
    /** True when the JVM reported success. */
    public boolean ok() {
        return status == 0;
    }
}
