package dev.jjf.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** Every writer of a finished file (outputs, the symbol cache, the agent, kept libraries) goes through here. */
class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCopyThatFailsLeavesNothingBehind() throws IOException {
        Path libs = dir.resolve("libs");
        assertThrows(IOException.class, () -> AtomicFile.copy(dir.resolve("gone.so"), libs.resolve("gone.so"), AtomicFile.READABLE));
        assertEquals(List.of(), names(libs));
    }

    @Test
    void aCopyArrivesWholeWithThePermissionsAsked() throws IOException {
        byte[] library = new byte[300_000];
        for (int i = 0; i < library.length; i++) library[i] = (byte) (i * 31);
        Path source = Files.write(dir.resolve("src.so"), library);
        Path target = dir.resolve("libs").resolve("kept.so");
        AtomicFile.copy(source, target, AtomicFile.READABLE);
        assertArrayEquals(library, Files.readAllBytes(target));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        AtomicFile.write(target, AtomicFile.EXECUTABLE, new byte[] {1, 2});
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(target));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of("kept.so"), names(target.getParent()));
    }

    @Test
    void aWriteThatFailsKeepsTheOldFile() throws IOException {
        Path target = Files.writeString(dir.resolve("cache"), "old");
        assertThrows(IOException.class, () -> AtomicFile.write(target, AtomicFile.PRIVATE, out -> {
            out.write(new byte[1 << 20]);
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("cache"), names(dir));
    }
}
