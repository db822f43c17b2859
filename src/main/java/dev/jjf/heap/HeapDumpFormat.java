package dev.jjf.heap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** How a heap dump file is stored, told by its content rather than its name. */
public enum HeapDumpFormat {
    /** An uncompressed HPROF file. */
    HPROF,
    /** HPROF in gzip: one member, or jcmd's {@code -gz} series of independent members. */
    HPROF_GZIP;

    /** Every HPROF file starts with this, followed by the version ("1.0.2") and a NUL. */
    static final String MAGIC = "JAVA PROFILE 1.0.";
    private static final int GZIP_MAGIC = 0x8b1f;

    /** The file's format; empty when it is not a heap dump (a jemalloc profile, say). */
    public static Optional<HeapDumpFormat> detect(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(MAGIC.length());
            if (startsWithMagic(head)) return Optional.of(HPROF);
            if (head.length < 2 || ((head[0] & 0xff) | (head[1] & 0xff) << 8) != GZIP_MAGIC) return Optional.empty();
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 512)) {
            return startsWithMagic(in.readNBytes(MAGIC.length())) ? Optional.of(HPROF_GZIP) : Optional.empty();
        } catch (ZipException | java.io.EOFException e) {
            return Optional.empty();
        }
    }

    /** True when the file is a heap dump in any of these formats. */
    public static boolean isHeapDump(Path file) throws IOException {
        return detect(file).isPresent();
    }

    private static boolean startsWithMagic(byte[] head) {
        return head.length == MAGIC.length() && new String(head, StandardCharsets.ISO_8859_1).equals(MAGIC);
    }
}
