package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.attach.AttachClient;
import dev.jjf.attach.HeapDumper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** {@code jjf dumpheap PID}: a Java heap dump of a running process, as a file of the user's. */
final class DumpHeapCommand implements Command {
    private static final double MILLIS_PER_SECOND = 1000.0;

    long pid;
    Path output;
    int compressLevel;
    int parallelThreads;
    boolean all;
    double timeoutSeconds = AttachClient.DEFAULT_TIMEOUT_MILLIS / MILLIS_PER_SECOND;

    @Override
    public CommandSpec spec() {
        return CommandSpec.builder("dumpheap",
                        "Java heap dump (HPROF) of a running process, written to FILE here even when the process runs in a container.",
                        "A HotSpot JVM dumps through its attach socket (GC.heap_dump; --compress needs JDK 15+, --parallel JDK 22+)."
                                + " A GraalVM Native Image built with --enable-monitoring=heapdump dumps on SIGUSR1; other processes"
                                + " are refused without a signal. The process must run as jjf's user.")
                .parameter("PID", 1, 1, "The process id (as seen from here)")
                .option(List.of("-o", "--output"), "FILE", "Where the dump goes; never overwritten (default: heap-PID-<timestamp>.hprof[.gz])")
                .option("--compress", "LEVEL", "gzip the dump at LEVEL 1 (fastest) to 9 (smallest)")
                .option("--parallel", "N", "Let the JVM write with N threads (JDK 22+; ignored with a note elsewhere)")
                .flag("--all", "Dump unreachable objects too (no GC before the dump)")
                .option("--timeout", "SECONDS", "How long to wait for the attach socket, or for a Native Image's dump to progress (default: 10)")
                .flag("--verbose", "Print Java stack traces of errors")
                .build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "PID" -> pid = Values.toLong(value);
            case "--output" -> output = Values.toPath(value);
            case "--compress" -> compressLevel = Values.toInt(value);
            case "--parallel" -> parallelThreads = Values.toInt(value);
            case "--all" -> all = Values.toBoolean(value);
            case "--timeout" -> timeoutSeconds = Values.toDouble(value);
            case "--verbose" -> { }
            default -> throw Command.unknownKey(key);
        }
    }

    @Override
    public int call(PrintWriter out, PrintWriter err) {
        if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds)) {
            throw new BadInputException(null, "--timeout must be a positive number of seconds, not " + timeoutSeconds);
        }
        HeapDumper.Request request = new HeapDumper.Request(compressLevel, parallelThreads, all);
        Path file = output != null ? output : defaultName(pid, request.compressed());
        HeapDumper dumper = new HeapDumper(Math.max(1, Math.round(timeoutSeconds * MILLIS_PER_SECOND)));
        HeapDumper.Result result = dumper.dump(pid, request, file);
        for (String note : result.notes()) err.println("jjf: note: " + note);
        err.println("jjf: heap dump of pid " + pid + " (" + result.runtime() + "): " + result.file() + ", " + HeapDumper.size(result.bytes()));
        err.flush();
        return 0;
    }

    /** heap-PID-yyyyMMdd-HHmmss.hprof in the current directory, .hprof.gz when compressed. */
    static Path defaultName(long pid, boolean compressed) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("heap-" + pid + "-" + stamp + (compressed ? ".hprof.gz" : ".hprof"));
    }
}
