package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/** The programs the attach tests run: compiled where other users can read them, and stopped after each test. */
final class TargetPrograms {
    private static final long EXIT_TIMEOUT_SECONDS = 10;
    private static final long POLL_MILLIS = 50;

    private TargetPrograms() {
    }

    /**
     * Compiles {@code source} (class {@code className}) for Java 17 into a new directory that every
     * user can read: some tests run their target as another user.
     */
    static Path compile(String dirPrefix, String className, String source) throws IOException {
        Path classes = Files.createTempDirectory(dirPrefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path file = Files.writeString(classes.resolve(className + ".java"), source);
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, "--release", "17", "-nowarn", "-d", classes.toString(),
                file.toString());
        assertEquals(0, rc, () -> "compiling the target program: " + messages);
        Files.setPosixFilePermissions(classes.resolve(className + ".class"), PosixFilePermissions.fromString("rw-r--r--"));
        return classes;
    }

    /** Removes what {@link #compile} made. */
    static void remove(Path classes) throws IOException {
        if (classes == null) return;
        try (Stream<Path> files = Files.list(classes)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(classes);
    }

    /**
     * Waits until {@code output} (a target's output file) contains {@code text}; fails when the
     * process ends first or the time is up. Polls: the text in the file is the condition.
     */
    static void awaitOutput(Path output, ProcessHandle process, String text, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!Files.readString(output).contains(text)) {
            assertTrue(process.isAlive() && System.currentTimeMillis() < deadline, "no '" + text + "' from the target: " + Files.readString(output));
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Ends each started target: end of input lets it exit normally (so that its JVM removes its
     * attach socket); what does not, is killed with its children.
     */
    static void stop(List<Process> started) throws IOException, InterruptedException {
        for (Process p : started) {
            p.getOutputStream().close();
            if (p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) continue;
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
