package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-system errors are one line that names the file and says what is wrong with it. */
class FileErrorMessagesTest {
    private static final String PROFILE = "heap_v2/1\n@ 0x1000\n  t*: 1: 8 [0: 0]\nMAPPED_LIBRARIES:\n";

    @TempDir
    Path dir;

    private String errorOf(String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args);
        assertEquals(1, exit, err.toString());
        return err.toString();
    }

    @Test
    void perfMapThatDoesNotExistOrIsADirectory() throws Exception {
        Path heap = Files.writeString(dir.resolve("a.heap"), PROFILE);
        Path out = dir.resolve("out.svg");
        Path missing = dir.resolve("missing.map");
        assertEquals("jjf: " + missing + ": no such file\n",
                errorOf("render", heap.toString(), "--perf-map", missing.toString(), "-o", out.toString()));
        assertEquals("jjf: " + dir + ": not a regular file\n",
                errorOf("render", heap.toString(), "--perf-map", dir.toString(), "-o", out.toString()));
    }

    @Test
    void heapThatIsADirectory() {
        assertEquals("jjf: " + dir + ": not a regular file\n", errorOf("render", dir.toString(), "-o", dir.resolve("o.svg").toString()));
    }

    @Test
    void outputThatIsADirectory() throws Exception {
        Path heap = Files.writeString(dir.resolve("a.heap"), PROFILE);
        Path out = Files.createDirectories(dir.resolve("out.svg").resolve("inside"));
        assertEquals("jjf: " + out.getParent() + ": Is a directory\n",
                errorOf("render", heap.toString(), "-o", out.getParent().toString()));
    }

    @Test
    void reasonsForTheCommonFileSystemExceptions() {
        assertEquals("/x: no such file or directory", Main.ioMessage(new java.nio.file.NoSuchFileException("/x")));
        assertEquals("/x: permission denied", Main.ioMessage(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("/b: Is a directory", Main.ioMessage(new java.nio.file.FileSystemException("/a", "/b", "Is a directory")));
        assertEquals("plain", Main.ioMessage(new java.io.IOException("plain")));
    }
}
