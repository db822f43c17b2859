package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A render that fails half way through writing leaves the previous output exactly as it was. */
class OutputFileTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void failingHalfWayKeepsTheOldFileAndLeavesNoTempFile() throws IOException {
        Path out = Files.writeString(dir.resolve("flames.svg"), "old flamegraph");
        IOException e = assertThrows(IOException.class, () -> OutputFile.write(out, w -> {
            w.write("<svg>" + "x".repeat(1 << 20)); // more than the writer buffers: bytes reach the disk
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old flamegraph", Files.readString(out));
        assertEquals(List.of("flames.svg"), names());

        assertThrows(IllegalStateException.class, () -> OutputFile.write(out, w -> {
            w.write("half");
            throw new IllegalStateException("a bug in a renderer");
        }));
        assertEquals("old flamegraph", Files.readString(out));
        assertEquals(List.of("flames.svg"), names());
    }

    @Test
    void successReplacesWholeAndKeepsPermissions() throws IOException {
        Path out = Files.writeString(dir.resolve("flames.svg"), "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        OutputFile.write(out, w -> w.write("new"));
        assertEquals("new", Files.readString(out));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals(List.of("flames.svg"), names());
    }
}
