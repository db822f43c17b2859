package dev.jjf.attach;

import java.util.OptionalLong;

/**
 * What the attach client needs from {@code /proc/<pid>/status}.
 *
 * @param nsTgid the process id inside the innermost pid namespace (a container's view), which
 *     HotSpot uses to name its attach files
 * @param effectiveUid the uid HotSpot compares with the peer of its attach socket
 * @param quitCaught whether a handler for SIGQUIT is installed; without one SIGQUIT kills
 * @param usr1Caught the same for SIGUSR1, which a GraalVM Native Image answers with a heap dump
 * @param stopped whether the process is stopped (SIGSTOP, or a debugger): it would answer nothing
 */
record ProcStatus(String name, long tgid, long nsTgid, long effectiveUid, boolean quitCaught, boolean usr1Caught, boolean stopped) {
    private static final int SIGQUIT = 3;
    private static final int SIGUSR1 = 10;

    /** Parses the text of a status file; null when a line HotSpot attach depends on is missing. */
    static ProcStatus parse(String text) {
        String name = "";
        OptionalLong tgid = OptionalLong.empty();
        OptionalLong nsTgid = OptionalLong.empty();
        OptionalLong uid = OptionalLong.empty();
        Boolean quitCaught = null;
        Boolean usr1Caught = null;
        boolean stopped = false;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon);
            String[] fields = line.substring(colon + 1).trim().split("\\s+");
            switch (key) {
                case "Name" -> name = line.substring(colon + 1).trim();
                // "T (stopped)" or "t (tracing stop)".
                case "State" -> stopped = fields[0].equalsIgnoreCase("T");
                case "Tgid" -> tgid = number(fields[0]);
                // One field per nested pid namespace, outermost first: the last is what the
                // process itself sees from getpid().
                case "NStgid" -> nsTgid = number(fields[fields.length - 1]);
                // Real, effective, saved, filesystem.
                case "Uid" -> uid = fields.length > 1 ? number(fields[1]) : OptionalLong.empty();
                case "SigCgt" -> {
                    quitCaught = caught(fields[0], SIGQUIT);
                    usr1Caught = caught(fields[0], SIGUSR1);
                }
                default -> { }
            }
        }
        if (tgid.isEmpty() || uid.isEmpty() || quitCaught == null) return null;
        // Kernels before 4.1 have no NStgid: there the process cannot be in a child pid namespace
        // we could tell apart, so its own pid is the best answer.
        return new ProcStatus(name, tgid.getAsLong(), nsTgid.orElse(tgid.getAsLong()), uid.getAsLong(), quitCaught, usr1Caught, stopped);
    }

    private static OptionalLong number(String s) {
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Boolean caught(String hexMask, int signal) {
        try {
            return (Long.parseUnsignedLong(hexMask, 16) & (1L << (signal - 1))) != 0;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
