package dev.jjf.attach;

import dev.jjf.BadInputException;
import dev.jjf.launch.DynamicAgentLoading;
import dev.jjf.launch.PerfMapAgent;
import dev.jjf.profile.ProfileFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Native-memory snapshots of a running JVM: loads jjf's perf-map agent through the attach socket
 * with {@code dump=} (heap profile plus perf map) or {@code prof_active=} (switch sampling).
 *
 * <p>The JVM writes into a private directory in its own /tmp, which jjf reaches through
 * {@code /proc/PID/root} (the same directory from here, or a container's), and the files are
 * copied out under the pid jjf sees. A JVM in another mount namespace cannot see jjf's copy of
 * the agent, so the agent is copied into that JVM's /tmp first, to a path that stays the same
 * while the agent does: every attach then reuses the one copy the JVM already has loaded.
 */
public final class SnapshotAgent implements AutoCloseable {
    /** Prefix of the heap profiles in the output directory, as jjf run names them. */
    public static final String PROFILE_PREFIX = "jeprof";
    /** What jjf says when the target cannot profile; the user's fix is in it. */
    static final String NO_PROFILING = "has no profiling jemalloc: start it with `jjf run` "
            + "(or LD_PRELOAD=…libjemalloc.so.2 MALLOC_CONF=prof:true …)";
    /** The attach client's own timeout for the socket comes first, with its own message. */
    private static final long GRACE_MILLIS = 500;
    private static final String JVM_TMP = "/tmp";
    private static final String EXCHANGE_PREFIX = "jjf-snapshot-";
    private static final String AGENT_DIR_PREFIX = ".jjf-agent-";
    private static final int HASH_CHARS = 16;

    private final AttachClient client;
    private final AttachTarget target;
    private final Path library;
    private final long timeoutMillis;
    private final Path hostTmp;
    /** The private directory, from here; null until the first action. */
    private Path exchange;
    /** The same directory as the JVM names it. */
    private String exchangeInJvm;
    private String libraryInJvm;
    private int actions;

    /** One heap profile and the perf map (every dump so far) that names its Java frames. */
    public record Dump(Path heap, Path perfMap, SnapshotReport report) {
    }

    /**
     * @param library the extracted agent, a path in jjf's file system
     * @param timeoutMillis how long one action may take, attach socket included
     */
    public SnapshotAgent(AttachClient client, AttachTarget target, Path library, long timeoutMillis) {
        this.client = client;
        this.target = target;
        this.library = library.toAbsolutePath();
        this.timeoutMillis = timeoutMillis;
        this.hostTmp = Path.of("/proc", Long.toString(target.pid()), "root", JVM_TMP.substring(1));
    }

    /** "pid N has no profiling jemalloc: …", the one line for a JVM that cannot profile. */
    public static String noProfilingMessage(long pid) {
        return "pid " + pid + " " + NO_PROFILING;
    }

    /** Has the JVM write a heap profile and its perf map, and copies both into {@code outDir}. */
    public Dump dump(Path outDir) {
        prepare();
        // hook=true: a JVM that jjf run did not start gets the backtrace hook from now on.
        SnapshotReport report = act("dump=" + exchangeInJvm + "/" + PROFILE_PREFIX + ",file=" + exchangeInJvm + "/perf-%p.map,hook=true");
        Path heap = inExchange(report, "heap");
        Path map = inExchange(report, "map");
        ProfileFiles.DumpFile name = ProfileFiles.parseName(heap, null).orElseThrow(() -> new BadInputException(heap,
                "the agent wrote a heap profile that is not named like jemalloc's"));
        // Named after the pid seen from here, as jjf render pairs profiles with perf-<pid>.map.
        Path heapOut = outDir.resolve(PROFILE_PREFIX + "." + target.pid() + "." + name.seq() + ".m" + name.kindSeq() + ".heap");
        Path mapOut = outDir.resolve("perf-" + target.pid() + ".map");
        try {
            Files.copy(heap, heapOut);
            Files.delete(heap);
            // The map stays where it is: the next dump appends to it, so it is a history, as render expects.
            Files.copy(map, mapOut, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(heapOut, "already exists; not overwriting a snapshot");
        } catch (IOException e) {
            throw new BadInputException(null, "cannot copy the snapshot of " + target.describe() + " into " + outDir + ": " + e.getMessage(), e);
        }
        return new Dump(heapOut, mapOut, report);
    }

    /** Switches jemalloc's sampling in the JVM ({@code prof.active}); the report says what it was. */
    public SnapshotReport sampling(boolean on) {
        prepare();
        return act("prof_active=" + on);
    }

    /** Removes the private directory from the JVM's /tmp; the agent's copy there stays for the next time. */
    @Override
    public void close() {
        if (exchange == null) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(exchange)) {
            for (Path f : files) Files.deleteIfExists(f);
            Files.deleteIfExists(exchange);
        } catch (IOException e) {
            // The JVM may have exited and taken its /tmp (a container) with it; nothing to clean then.
        }
    }

    private void prepare() {
        if (exchange != null) return;
        try {
            // Private (rwx------): nobody else can plant or read files in it, in a shared /tmp.
            exchange = Files.createTempDirectory(hostTmp, EXCHANGE_PREFIX);
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw new BadInputException(null, "cannot reach the /tmp of " + target.describe() + " through " + hostTmp
                    + ": " + e.getClass().getSimpleName().replace("Exception", "") + " " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException(null, "cannot create a directory in the /tmp of " + target.describe() + ": " + e.getMessage(), e);
        }
        exchangeInJvm = JVM_TMP + "/" + exchange.getFileName();
        try {
            libraryInJvm = target.otherMountNamespace() ? installInJvm() : library.toString();
        } catch (IOException e) {
            close();
            throw new BadInputException(null, "cannot copy the agent into the /tmp of " + target.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Loads the agent with {@code options} plus a report file, and reads what it did. */
    private SnapshotReport act(String options) {
        String reportName = "report-" + ++actions;
        Path reportFile = exchange.resolve(reportName);
        AttachResponse response = load(options + ",report=" + exchangeInJvm + "/" + reportName);
        SnapshotReport report = readReport(reportFile);
        // JEP 451: "Dynamic agent loading is not enabled. Use -XX:+EnableDynamicAgentLoading to launch target VM."
        if (response.output().contains(DynamicAgentLoading.FLAG.substring("-XX:+".length()))) {
            throw new BadInputException(null, target.describe() + " refuses agents loaded while it runs (JEP 451): start it with "
                    + DynamicAgentLoading.FLAG + ", or under jjf run, which adds it");
        }
        if (!response.ok()) {
            throw new BadInputException(null, target.describe() + " could not load the agent " + libraryInJvm + ": "
                    + oneLine(response.output()));
        }
        if (report != null && report.noProfiling()) throw new BadInputException(null, noProfilingMessage(target.pid()));
        String code = returnCode(response.output());
        if (report != null && report.errorMessage() != null) {
            throw new BadInputException(null, target.describe() + ": " + report.errorMessage());
        }
        if (!code.equals("0")) {
            throw new BadInputException(null, target.describe() + ": the agent failed ("
                    + (code.matches("-?\\d+") ? "Agent_OnAttach returned " + code : oneLine(response.output()))
                    + "); the JVM's stderr says why");
        }
        if (report == null || !report.ok()) {
            throw new BadInputException(null, target.describe() + ": the agent loaded but wrote no report to " + reportFile);
        }
        return report;
    }

    /**
     * The attach operation, bounded in time as a whole: a JVM that is stopped (SIGSTOP) or hung
     * accepts the connection and never answers, and the socket read has no timeout of its own.
     */
    private AttachResponse load(String options) {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jjf-attach");
            t.setDaemon(true); // a read that never returns must not keep jjf alive
            return t;
        });
        try {
            Future<AttachResponse> answer = worker.submit(() -> client.execute(target, "load", libraryInJvm, "true", options));
            try {
                return answer.get(timeoutMillis + GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true); // closes the socket: the read ends
                throw new BadInputException(null, target.describe() + " did not answer within " + AttachClient.seconds(timeoutMillis)
                        + " (connected, but it ran nothing: stopped or hung? if it is just busy, try a longer --timeout)");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new BadInputException(null, target.describe() + ": " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BadInputException(null, "interrupted while waiting for " + target.describe());
            }
        } finally {
            worker.shutdownNow();
        }
    }

    /** The report, or null when the agent wrote none (it refused its options, or never ran). */
    private SnapshotReport readReport(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return null;
            SnapshotReport report = SnapshotReport.parse(Files.readString(file, StandardCharsets.UTF_8));
            Files.delete(file);
            return report;
        } catch (IOException e) {
            return null;
        }
    }

    /** A file the report names, from here; only files in the private directory are taken. */
    private Path inExchange(SnapshotReport report, String key) {
        String inJvm = report.file(key).orElseThrow(() -> new BadInputException(null,
                target.describe() + ": the agent's report names no " + key + " file"));
        String name = inJvm.startsWith(exchangeInJvm + "/") ? inJvm.substring(exchangeInJvm.length() + 1) : "";
        Path here = exchange.resolve(name);
        if (name.isEmpty() || name.contains("/") || !Files.isRegularFile(here, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(null, target.describe() + ": the agent reported " + key + " file " + inJvm
                    + ", which is not a file in " + exchangeInJvm);
        }
        return here;
    }

    /**
     * Copies the agent into a directory of the JVM's /tmp named after its content, private to us;
     * an earlier copy is reused, so the JVM finds the library it already loaded under the same path.
     */
    private String installInJvm() throws IOException {
        byte[] bytes = Files.readAllBytes(library);
        Path dir = hostTmp.resolve(AGENT_DIR_PREFIX + PerfMapAgent.sha256(bytes).substring(0, HASH_CHARS));
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            requirePrivate(dir);
        }
        Path lib = PerfMapAgent.install(bytes, dir.resolve(library.getFileName()));
        return JVM_TMP + "/" + dir.getFileName() + "/" + lib.getFileName();
    }

    /** A library the JVM will run must sit where only we (its user) can write. */
    private void requirePrivate(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object ours = Files.getAttribute(exchange, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        boolean othersWrite = a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        if (!a.isDirectory() || !owner.equals(ours) || othersWrite) {
            throw new IOException(dir + " exists and is not a private directory of ours; not putting a library there");
        }
    }

    private static Optional<String> firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
    }

    /** JDK 8-20 print Agent_OnAttach's result as a bare number, JDK 21+ as "return code: N". */
    static String returnCode(String output) {
        String first = firstLine(output).orElse("");
        return first.startsWith("return code:") ? first.substring("return code:".length()).strip() : first;
    }

    private static String oneLine(String text) {
        String s = text.strip().replaceAll("\\s*\n\\s*", "; ");
        return s.isEmpty() ? "(no message)" : s;
    }
}
