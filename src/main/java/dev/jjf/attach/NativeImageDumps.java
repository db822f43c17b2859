package dev.jjf.attach;

import dev.jjf.BadInputException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Heap dumps of GraalVM Native Image processes. An image built with {@code --enable-monitoring=heapdump}
 * (before GraalVM 22.2: {@code -H:+AllowVMInspection}) writes {@code svm-heapdump-<pid>-<time>.hprof}
 * into its working directory (or {@code -XX:HeapDumpPath}) when it gets SIGUSR1; any other process dies
 * of that signal. So nothing is sent unless the executable is an image that carries the dump code and
 * the process has a SIGUSR1 handler installed.
 *
 * <p>The file is complete once the process no longer has it open: it opens the file when it starts
 * writing and closes it when done. jjf waits for that while the file grows, and gives up when it
 * stops growing for the timeout.
 */
final class NativeImageDumps {
    /** The ELF section that holds an image's pre-built heap: every Native Image executable has it. */
    static final String IMAGE_HEAP_SECTION = ".svm_heap";
    /**
     * The default file-name prefix of the dump code ({@code HeapDumpDefaultFilenamePrefix}); as a
     * string constant in the image heap it is in the executable exactly when that code is.
     */
    static final String DUMP_PREFIX = "svm-heapdump-";
    private static final String HEAP_DUMP_PATH_OPTION = "-XX:HeapDumpPath=";
    private static final int SCAN_BUFFER_BYTES = 1 << 20;
    private static final long FIRST_POLL_MILLIS = 10;
    private static final long MAX_POLL_MILLIS = 250;

    /** Sends SIGUSR1. */
    @FunctionalInterface
    interface Usr1Signal {
        long KILL_TIMEOUT_SECONDS = 10;

        void send(long pid) throws IOException;
    }

    /** {@code kill -USR1}, for the reason {@link QuitSignal#KILL_COMMAND} gives. */
    static final Usr1Signal SIGNAL_COMMAND = pid -> {
        Process p = new ProcessBuilder("kill", "-USR1", Long.toString(pid)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(Usr1Signal.KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("kill -USR1 " + pid + " did not finish within " + Usr1Signal.KILL_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) throw new IOException("kill -USR1 " + pid + " failed" + (output.isEmpty() ? "" : ": " + output));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling pid " + pid, e);
        }
    };

    /** What the executable says about itself. */
    record Image(boolean nativeImage, boolean heapDumpSupport) {
    }

    private final AttachClient client;
    private final Usr1Signal usr1;
    private final long timeoutMillis;

    NativeImageDumps(AttachClient client, Usr1Signal usr1, long timeoutMillis) {
        this.client = client;
        this.usr1 = Objects.requireNonNull(usr1);
        this.timeoutMillis = timeoutMillis;
    }

    /** Looks for the image-heap section name and the dump code's file-name prefix in one pass over the file. */
    static Image inspect(Path executable) throws IOException {
        byte[] section = (IMAGE_HEAP_SECTION + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] prefix = DUMP_PREFIX.getBytes(StandardCharsets.US_ASCII);
        int overlap = Math.max(section.length, prefix.length) - 1;
        boolean foundSection = false;
        boolean foundPrefix = false;
        byte[] buf = new byte[SCAN_BUFFER_BYTES + overlap];
        int kept = 0;
        try (InputStream in = Files.newInputStream(executable)) {
            while (!(foundSection && foundPrefix)) {
                int n = in.readNBytes(buf, kept, SCAN_BUFFER_BYTES);
                if (n <= 0) break;
                int len = kept + n;
                foundSection |= indexOf(buf, len, section) >= 0;
                foundPrefix |= indexOf(buf, len, prefix) >= 0;
                kept = Math.min(overlap, len);
                System.arraycopy(buf, len - kept, buf, 0, kept);
            }
        }
        return new Image(foundSection, foundSection && foundPrefix);
    }

    private static int indexOf(byte[] hay, int len, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= len; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** Dumps the heap of a process that is not HotSpot: a Native Image with dump support, or a refusal. */
    HeapDumper.Result dump(ProcStatus status, HeapDumper.Request request, Path output) {
        long pid = status.tgid();
        String who = "pid " + pid + " (" + status.name() + ")";
        Path procDir = client.procDir(pid);
        Image image;
        try {
            image = inspect(procDir.resolve("exe"));
        } catch (NoSuchFileException e) {
            throw new BadInputException(null, "no process with pid " + pid);
        } catch (IOException e) {
            throw new BadInputException(null, "cannot read the executable of " + who + " (" + procDir.resolve("exe") + "): " + e.getMessage());
        }
        if (!image.nativeImage()) {
            throw new BadInputException(null, who + " is not a JVM: it neither maps libjvm.so (HotSpot) nor is a GraalVM Native Image");
        }
        if (!image.heapDumpSupport()) {
            throw new BadInputException(null, who + " is a GraalVM Native Image built without heap-dump support:"
                    + " rebuild it with --enable-monitoring=heapdump");
        }
        if (!status.usr1Caught()) {
            throw new BadInputException(null, who + " is a Native Image with heap-dump support but has no SIGUSR1 handler"
                    + " (still starting, or signal handling is off): jjf will not send it, because it would kill the process");
        }
        if (request.all()) {
            throw new BadInputException(null, who + " is a Native Image, which dumps only live objects on SIGUSR1: leave out --all");
        }
        List<String> notes = new ArrayList<>();
        if (request.parallelThreads() > 0) notes.add(who + " is a Native Image, which dumps with one thread: --parallel ignored");
        if (request.compressed()) notes.add(who + " is a Native Image, which writes uncompressed dumps: jjf compressed it");

        DumpLocation where = location(pid, status.nsTgid(), procDir);
        Set<String> before = where.existing();
        try {
            usr1.send(pid);
        } catch (IOException e) {
            throw new BadInputException(null, who + ": " + e.getMessage(), e);
        }
        Path written = waitForDump(pid, who, where, before);
        try {
            Path copy = DumpPlacement.copyBeside(written, output, request.compressLevel());
            try {
                HeapDumper.linkIntoPlace(copy, output);
            } finally {
                Files.deleteIfExists(copy);
            }
            // The process wrote it because we asked: ours to take away, as HotSpot dumps are.
            Files.delete(written);
            return new HeapDumper.Result(output, Files.size(output), "GraalVM Native Image", notes);
        } catch (IOException e) {
            throw new BadInputException(output, "cannot copy the heap dump " + written + ": " + DumpPlacement.ioMessage(e));
        }
    }

    /**
     * Where the dump appears, from here: {@code -XX:HeapDumpPath} when it names a directory or a
     * file, else the working directory; names start with the prefix and the process's own pid.
     */
    private static DumpLocation location(long pid, long nsPid, Path procDir) {
        String configured = heapDumpPath(procDir);
        Path cwd = procDir.resolve("cwd");
        if (configured != null && !configured.isEmpty()) {
            Path p = configured.startsWith("/") ? procDir.resolve("root").resolve(configured.substring(1)) : cwd.resolve(configured);
            if (!Files.isDirectory(p)) return new DumpLocation(p.getParent(), p.getFileName().toString(), true);
            return new DumpLocation(p, DUMP_PREFIX + nsPid + "-", false);
        }
        return new DumpLocation(cwd, DUMP_PREFIX + nsPid + "-", false);
    }

    /** The last {@code -XX:HeapDumpPath=} on the command line, or null. */
    private static String heapDumpPath(Path procDir) {
        try {
            String value = null;
            for (String arg : new String(Files.readAllBytes(procDir.resolve("cmdline")), StandardCharsets.UTF_8).split("\0")) {
                if (arg.startsWith(HEAP_DUMP_PATH_OPTION)) value = arg.substring(HEAP_DUMP_PATH_OPTION.length());
            }
            return value;
        } catch (IOException e) {
            return null;
        }
    }

    /** A directory and what dump files in it are named like: a prefix, or one exact name. */
    private record DumpLocation(Path dir, String name, boolean exact) {
        boolean matches(String fileName) {
            return exact ? fileName.equals(name) : fileName.startsWith(name) && fileName.endsWith(".hprof");
        }

        Set<String> existing() {
            Set<String> names = new HashSet<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    if (matches(f.getFileName().toString())) names.add(f.getFileName().toString());
                }
            } catch (IOException e) {
                throw new BadInputException(null, "cannot list " + dir + ", where the heap dump will appear: " + DumpPlacement.ioMessage(e));
            }
            return names;
        }
    }

    /**
     * Waits until a new dump file exists and the process has closed it. Bounded: the file must appear
     * within the timeout, and then keep growing at least once per timeout until it is closed.
     */
    private Path waitForDump(long pid, String who, DumpLocation where, Set<String> before) {
        long lastProgress = System.nanoTime();
        long lastSize = -1;
        long pollMillis = FIRST_POLL_MILLIS;
        while (true) {
            Path file = newDump(where, before);
            if (file != null) {
                long size = sizeOrMinusOne(file);
                if (size != lastSize) {
                    lastSize = size;
                    lastProgress = System.nanoTime();
                }
                if (!isOpenBy(pid, file)) return file;
            }
            if (!Files.isDirectory(client.procDir(pid))) {
                throw new BadInputException(null, who + " exited " + (file == null ? "before it wrote a heap dump" : "while it wrote " + file));
            }
            long idleMillis = (System.nanoTime() - lastProgress) / 1_000_000;
            if (idleMillis >= timeoutMillis) {
                throw new BadInputException(null, who + (file == null
                        ? " wrote no heap dump into " + where.dir() + " within " + AttachClient.seconds(timeoutMillis)
                                + " of SIGUSR1 (its output may say why; if it is just busy, try a longer --timeout)"
                        : " stopped writing " + file + " (" + lastSize + " bytes, no progress for " + AttachClient.seconds(timeoutMillis)
                                + "); left it there"));
            }
            try {
                Thread.sleep(Math.max(1, Math.min(pollMillis, timeoutMillis - idleMillis)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BadInputException(null, "interrupted while waiting for the heap dump of " + who);
            }
            pollMillis = Math.min(pollMillis * 2, MAX_POLL_MILLIS);
        }
    }

    private static Path newDump(DumpLocation where, Set<String> before) {
        Path newest = null;
        for (String name : where.existing()) {
            if (before.contains(name)) continue;
            Path p = where.dir().resolve(name);
            if (newest == null || name.compareTo(newest.getFileName().toString()) > 0) newest = p;
        }
        return newest;
    }

    private static long sizeOrMinusOne(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Whether one of the process's descriptors is this file, compared by device and inode: the
     * descriptor's link text is a path in the process's own view, which may not be ours.
     */
    private boolean isOpenBy(long pid, Path file) {
        Object key;
        try {
            key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return true; // not there any more, or not yet readable: ask again
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(client.procDir(pid).resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (!Files.isSymbolicLink(fd)) continue;
                    if (key.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) return true;
                } catch (IOException e) {
                    // closed meanwhile, or a socket or pipe: not the file
                }
            }
            return false;
        } catch (IOException e) {
            // The process is gone (then its file is closed) or its fds are not ours to read.
            if (Files.isDirectory(client.procDir(pid), LinkOption.NOFOLLOW_LINKS)) {
                throw new BadInputException(null, "cannot read " + client.procDir(pid).resolve("fd")
                        + " to see whether the heap dump is complete: " + DumpPlacement.ioMessage(e));
            }
            return false;
        }
    }
}
