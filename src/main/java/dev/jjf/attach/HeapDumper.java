package dev.jjf.attach;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Java heap dumps of running processes, delivered to a file of the user's: a HotSpot JVM through its
 * attach socket ({@code GC.heap_dump}), a GraalVM Native Image built with heap-dump support by SIGUSR1.
 *
 * <p>The process writes the dump itself, in its own file-system view. When that view is ours the
 * JVM writes beside the output and the file is linked into place; in a container it writes into a
 * private directory of its /tmp, which jjf reaches through {@code /proc/PID/root} and empties again.
 */
public final class HeapDumper {
    /** The strongest gzip level {@code GC.heap_dump -gz} accepts. */
    public static final int MAX_COMPRESS_LEVEL = 9;

    private final AttachClient client;
    private final NativeImageDumps nativeImages;

    /**
     * What to dump and how.
     *
     * @param compressLevel gzip level 1-9, or 0 for an uncompressed dump
     * @param parallelThreads how many threads the JVM may use to write, or 0 for its default
     * @param all whether unreachable objects are dumped too (no GC before the dump)
     */
    public record Request(int compressLevel, int parallelThreads, boolean all) {
        public Request {
            if (compressLevel < 0 || compressLevel > MAX_COMPRESS_LEVEL) {
                throw new BadInputException(null, "--compress must be a gzip level from 1 to " + MAX_COMPRESS_LEVEL + ", not " + compressLevel);
            }
            if (parallelThreads < 0) throw new BadInputException(null, "--parallel must be a positive number of threads, not " + parallelThreads);
        }

        /** Whether the output is a gzip file. */
        public boolean compressed() {
            return compressLevel > 0;
        }
    }

    /**
     * A dump that is now the user's file.
     *
     * @param runtime "HotSpot JDK 17.0.15" or "GraalVM Native Image", for the one line jjf prints
     * @param notes what the user asked for that the target could not do, and what jjf did instead
     */
    public record Result(Path file, long bytes, String runtime, List<String> notes) {
        public Result {
            notes = List.copyOf(notes);
        }
    }

    /** A dumper that waits up to {@code timeoutMillis} for a JVM's attach socket, or for a Native Image to start its dump. */
    public HeapDumper(long timeoutMillis) {
        this(new AttachClient(timeoutMillis), NativeImageDumps.SIGNAL_COMMAND, timeoutMillis);
    }

    HeapDumper(AttachClient client, NativeImageDumps.Usr1Signal usr1, long timeoutMillis) {
        this.client = Objects.requireNonNull(client);
        this.nativeImages = new NativeImageDumps(client, usr1, timeoutMillis);
    }

    /**
     * Dumps the heap of {@code pid} into {@code output}, which must not exist yet: a file the user
     * already has is never overwritten, and a failed dump leaves nothing behind.
     */
    public Result dump(long pid, Request request, Path output) {
        Path out = output.toAbsolutePath().normalize();
        if (Files.exists(out)) throw new BadInputException(out, "already exists; not overwriting it with a heap dump");
        if (!Files.isDirectory(out.getParent())) throw new BadInputException(out.getParent(), "no such directory for the heap dump");
        ProcStatus status = client.ownProcess(pid, "a process only takes dump requests from its own user");
        if (status.stopped()) {
            throw new BadInputException(null, "pid " + status.tgid() + " (" + status.name() + ") is stopped (SIGSTOP or a debugger):"
                    + " it cannot dump its heap; resume it with kill -CONT " + status.tgid());
        }
        if (client.isHotSpot(status.tgid())) return hotSpot(client.target(status.tgid()), request, out);
        return nativeImages.dump(status, request, out);
    }

    private Result hotSpot(AttachTarget target, Request request, Path out) {
        List<String> notes = new ArrayList<>();
        AttachResponse help = client.execute(target, "jcmd", "help " + GcHeapDump.NAME);
        GcHeapDump.Options supported = GcHeapDump.Options.parse(help.ok() ? help.output() : "");
        String version = jdkVersion(target);
        String runtime = "HotSpot" + (version.isEmpty() ? "" : " " + version);
        if (!help.ok() || !supported.heapDump()) {
            throw new BadInputException(null, target.describe() + " (" + runtime + ") has no GC.heap_dump diagnostic command: "
                    + oneLine(help.output()));
        }
        if (request.compressed() && !supported.gz()) {
            throw new BadInputException(null, target.describe() + " runs " + runtime
                    + ", which cannot compress its heap dump (GC.heap_dump -gz came with JDK 15): leave out --compress");
        }
        if (request.all() && !supported.all()) {
            throw new BadInputException(null, target.describe() + " runs " + runtime + ", which cannot dump unreachable objects: leave out --all");
        }
        boolean parallel = request.parallelThreads() > 0 && supported.parallel();
        if (request.parallelThreads() > 0 && !parallel) {
            notes.add(target.describe() + " runs " + runtime + ", whose GC.heap_dump has no -parallel (JDK 22 added it): dumped with one thread");
        }

        DumpPlacement place = DumpPlacement.forJvm(target, client.procDir(target.pid()), out, request.compressed() ? ".hprof.gz" : ".hprof");
        try {
            String command = GcHeapDump.of(request.compressLevel(), parallel ? request.parallelThreads() : 0, request.all(), place.pathInJvm());
            AttachResponse response = client.execute(target, "jcmd", command);
            if (!response.ok() || !response.output().contains(GcHeapDump.CREATED)) {
                throw new BadInputException(null, target.describe() + ": GC.heap_dump failed: " + oneLine(response.output()));
            }
            if (!Files.isRegularFile(place.fromHere())) {
                throw new BadInputException(null, target.describe() + " reported a heap dump, but " + place.fromHere() + " is not there");
            }
            long bytes = place.deliver();
            return new Result(out, bytes, runtime, notes);
        } finally {
            place.discard();
        }
    }

    /** "JDK 17.0.15", from VM.version; empty when the JVM does not say. */
    private String jdkVersion(AttachTarget target) {
        AttachResponse v = client.execute(target, "jcmd", "VM.version");
        if (!v.ok()) return "";
        return v.output().lines().map(String::strip).filter(l -> l.startsWith("JDK ")).findFirst().orElse("");
    }

    static String oneLine(String text) {
        String s = text.strip().replaceAll("\\s*\n\\s*", "; ");
        return s.isEmpty() ? "(no message)" : s;
    }

    /** "117.3 MB". */
    public static String size(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Links {@code from} to {@code to}, which must not exist, then removes {@code from}: never replaces a file. */
    static void linkIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
            Files.delete(from);
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(to, "appeared while the heap was dumped; not overwriting it (the dump was discarded)");
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(to)) throw new BadInputException(to, "appeared while the heap was dumped; not overwriting it (the dump was discarded)");
            Files.move(from, to); // a file system without hard links: no REPLACE_EXISTING, so still never replaces
        }
    }
}
