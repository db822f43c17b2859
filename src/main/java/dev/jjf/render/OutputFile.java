package dev.jjf.render;

import dev.jjf.io.AtomicFile;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes an output (a flamegraph, folded stacks, JSON) as UTF-8 text through {@link AtomicFile}, so
 * a failure never leaves a half-written file or a half-overwritten old one.
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

    private static final int BUFFER_CHARS = 1 << 16;

    private OutputFile() {
    }

    /** Writes {@code target}; a file it replaces keeps its permissions. */
    public static void write(Path target, Content content) throws IOException {
        writeBinary(target, stream -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), BUFFER_CHARS);
            content.writeTo(w);
            w.flush();
        });
    }

    /** Like {@link #write}, for bytes. */
    public static void writeBinary(Path target, BinaryContent content) throws IOException {
        AtomicFile.write(target, AtomicFile.permissionsOf(target.toAbsolutePath(), AtomicFile.READABLE), content::writeTo);
    }
}
