package dev.jjf.attach;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.GZIPOutputStream;

/**
 * Where a process writes a heap dump for jjf, and how that file becomes the user's output.
 *
 * <p>A JVM that shares our file-system view writes a hidden file beside the output, which is then
 * linked into place: no copy of a file of many gigabytes. A JVM in a container cannot see our
 * directories, so it writes into a private directory of its own /tmp, reached from here through
 * {@code /proc/PID/root}, and the file is copied out.
 */
final class DumpPlacement {
    private static final String JVM_TMP = "/tmp";
    private static final String EXCHANGE_PREFIX = "jjf-dumpheap-";
    private static final String PRIVATE = "rw-------";
    private static final int COPY_BUFFER_BYTES = 1 << 20;

    private final Path output;
    private final Path fromHere;
    private final String pathInJvm;
    /** The private directory in the JVM's /tmp, or null when the JVM writes beside the output. */
    private final Path exchange;
    private Path copy;

    private DumpPlacement(Path output, Path fromHere, String pathInJvm, Path exchange) {
        this.output = output;
        this.fromHere = fromHere;
        this.pathInJvm = pathInJvm;
        this.exchange = exchange;
    }

    /**
     * A place for {@code target} to write the dump for {@code output}.
     *
     * @param procDir {@code /proc/PID} of the target, as jjf reaches it
     * @param suffix ".hprof" or ".hprof.gz"
     */
    static DumpPlacement forJvm(AttachTarget target, Path procDir, Path output, String suffix) {
        Path dir = output.getParent();
        if (!target.otherMountNamespace() && GcHeapDump.safe(dir.toString())) {
            // Hidden, and named by our pid and the clock: new to the directory, and the JVM refuses to
            // overwrite a file anyway (JDK 17 has no -overwrite; we never pass it).
            Path beside = dir.resolve(".jjf-dumpheap-" + ProcessHandle.current().pid() + "-" + Long.toUnsignedString(System.nanoTime(), 36) + suffix);
            return new DumpPlacement(output, beside, beside.toString(), null);
        }
        Path hostTmp = procDir.resolve("root").resolve(JVM_TMP.substring(1));
        Path exchange;
        try {
            // Private (rwx------): in a shared /tmp nobody else can read the dump or plant a file in its place.
            exchange = Files.createTempDirectory(hostTmp, EXCHANGE_PREFIX);
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw new BadInputException(null, "cannot reach the /tmp of " + target.describe() + " through " + hostTmp + ": "
                    + e.getClass().getSimpleName().replace("Exception", "") + " " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException(null, "cannot create a directory in the /tmp of " + target.describe() + ": " + e.getMessage(), e);
        }
        String name = "heap" + suffix;
        return new DumpPlacement(output, exchange.resolve(name), JVM_TMP + "/" + exchange.getFileName() + "/" + name, exchange);
    }

    /** The file the JVM is to write, as the JVM names it. */
    String pathInJvm() {
        return pathInJvm;
    }

    /** The same file, from here. */
    Path fromHere() {
        return fromHere;
    }

    /** Makes the written dump the user's output; its size in bytes. */
    long deliver() {
        try {
            long bytes = Files.size(fromHere);
            if (exchange == null) {
                HeapDumper.linkIntoPlace(fromHere, output);
            } else {
                copy = copyBeside(fromHere, output, 0);
                HeapDumper.linkIntoPlace(copy, output);
            }
            return bytes;
        } catch (IOException e) {
            throw new BadInputException(output, "cannot write the heap dump: " + ioMessage(e));
        }
    }

    /** Removes whatever is left of the dump outside the user's output: after success, and after failure. */
    void discard() {
        try {
            Files.deleteIfExists(fromHere);
            if (copy != null) Files.deleteIfExists(copy);
            if (exchange != null) Files.deleteIfExists(exchange);
        } catch (IOException e) {
            // A container that exited took its /tmp with it; the hidden file beside the output is ours
            // and private, and the next run does not reuse its name.
        }
    }

    /**
     * Copies {@code source} to a new private file beside {@code output}, gzipped at
     * {@code compressLevel} when that is 1-9; returns the copy.
     */
    static Path copyBeside(Path source, Path output, int compressLevel) throws IOException {
        Path tmp = output.resolveSibling("." + output.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toUnsignedString(System.nanoTime(), 36) + ".tmp");
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(PRIVATE)));
        boolean done = false;
        try (InputStream in = Files.newInputStream(source); OutputStream file = Files.newOutputStream(tmp);
             OutputStream out = compressLevel > 0 ? gzip(file, compressLevel) : file) {
            byte[] buf = new byte[COPY_BUFFER_BYTES];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) out.write(buf, 0, n);
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
        return tmp;
    }

    private static OutputStream gzip(OutputStream out, int level) throws IOException {
        return new GZIPOutputStream(out, COPY_BUFFER_BYTES) {
            {
                def.setLevel(level);
            }
        };
    }

    /** "FILE: reason": a FileSystemException's own message is often just the file name. */
    static String ioMessage(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
        }
        return String.valueOf(e.getMessage());
    }
}
