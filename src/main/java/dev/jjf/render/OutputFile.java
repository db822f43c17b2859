package dev.jjf.render;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes an output through a temp file in the same directory and moves it into place, so a
 * failure never leaves a half-written file or a half-overwritten old one.
 */
public final class OutputFile {
    /** Content written to a Writer. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Writer out) throws IOException;
    }

    /** Content written as bytes (pprof's gzip-compressed protobuf). */
    @FunctionalInterface
    public interface BinaryContent {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final String DEFAULT_PERMISSIONS = "rw-r--r--";
    private static final String PRIVATE_PERMISSIONS = "rw-------";

    private OutputFile() {
    }

    /**
     * A new file beside the target. Files.createTempFile would do, but its names come from
     * SecureRandom, whose setup a command-line run pays in full; the name only has to be new,
     * and createFile fails rather than reuse one.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        String prefix = "." + name + "." + ProcessHandle.current().pid() + ".";
        long n = System.nanoTime();
        while (true) {
            Path tmp = dir.resolve(prefix + Long.toUnsignedString(n++, 36) + ".tmp");
            try {
                return Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(PRIVATE_PERMISSIONS)));
            } catch (FileAlreadyExistsException e) {
                // Taken by an earlier run or another writer: try the next name.
            }
        }
    }

    public static void write(Path target, Content content) throws IOException {
        writeBinary(target, stream -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
            content.writeTo(out);
            out.flush();
        });
    }

    /** Like {@link #write}, for bytes. */
    public static void writeBinary(Path target, BinaryContent content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, absolute.getFileName().toString());
        boolean done = false;
        try {
            // Temp files are private; the result should be as readable as any file the user writes.
            Files.setPosixFilePermissions(tmp, Files.exists(absolute)
                    ? Files.getPosixFilePermissions(absolute) : PosixFilePermissions.fromString(DEFAULT_PERMISSIONS));
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }
}
