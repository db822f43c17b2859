package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs real processes for integration tests: output captured to files, bounded by a timeout. */
record Proc(int exitCode, String stdout, String stderr) {
    static final long TIMEOUT_SECONDS = 300;
    static final Path ROOT = Path.of(System.getProperty("jjf.root", "."));
    static final Path JAR = Path.of(System.getProperty("jjf.jar", "target/jjf.jar"));
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    static final Path DEBIAN_JEMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");

    static Proc run(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("proc", ".out");
        Path err = Files.createTempFile("proc", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "timed out: " + command);
            return new Proc(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs jjf from the packaged jar. */
    static Proc jjf(Path dir, String... args) throws IOException, InterruptedException {
        return jjf(dir, Map.of(), args);
    }

    /** Runs jjf from the packaged jar with extra environment variables. */
    static Proc jjf(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return run(dir, env, cmd);
    }

    Proc assertOk() {
        assertTrue(exitCode == 0, "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
        return this;
    }
}
