package dev.jjf.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file through a temp file in the same directory and moves it into place: a reader (a
 * user, a JVM mapping a library) sees the old file or the whole new one, never part of one, and a
 * failure leaves neither a half-written file nor the temp file behind.
 */
public final class AtomicFile {
    /** What is written. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** As readable as any file the user writes. */
    public static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    /** Only the user. */
    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    /** A library or program others may run. */
    public static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");

    private AtomicFile() {
    }

    /** Writes {@code target} with {@code permissions}, whatever it held before. */
    public static void write(Path target, Set<PosixFilePermission> permissions, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, absolute.getFileName().toString());
        boolean done = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            Files.setPosixFilePermissions(tmp, permissions);
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

    /** Writes {@code bytes} to {@code target}. */
    public static void write(Path target, Set<PosixFilePermission> permissions, byte[] bytes) throws IOException {
        write(target, permissions, out -> out.write(bytes));
    }

    /** Copies the file {@code source} to {@code target}. */
    public static void copy(Path source, Path target, Set<PosixFilePermission> permissions) throws IOException {
        write(target, permissions, out -> {
            try (InputStream in = Files.newInputStream(source)) {
                in.transferTo(out);
            }
        });
    }

    /** The permissions {@code target} has now, so that rewriting it keeps them; {@code otherwise} when it does not exist. */
    public static Set<PosixFilePermission> permissionsOf(Path target, Set<PosixFilePermission> otherwise) throws IOException {
        return Files.exists(target) ? Files.getPosixFilePermissions(target) : otherwise;
    }

    /**
     * A new private file beside the target. Files.createTempFile would do, but its names come from
     * SecureRandom, whose set-up a command-line run pays in full; the name only has to be new, and
     * createFile fails rather than reuse one.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        String prefix = "." + name + "." + ProcessHandle.current().pid() + ".";
        long n = System.nanoTime();
        while (true) {
            Path tmp = dir.resolve(prefix + Long.toUnsignedString(n++, 36) + ".tmp");
            try {
                return Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (FileAlreadyExistsException e) {
                // Taken by an earlier run or another writer: try the next name.
            }
        }
    }
}
