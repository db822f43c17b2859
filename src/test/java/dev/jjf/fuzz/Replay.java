package dev.jjf.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Confirms a fuzzing finding that depends on the JVM it was made in (allocation, hangs) by running
 * the same target on the same input in a fresh JVM without Jazzer's agent, with {@link #main} as
 * its entry point. A finding the fresh JVM does not repeat was made by the instrumentation: it is
 * recorded under {@link #UNCONFIRMED} (input and message) for scripts/fuzz.sh to report, and does
 * not stop the run.
 */
final class Replay {
    /** Where unconfirmed findings go, relative to the project (the fuzzing JVM's working directory). */
    static final Path UNCONFIRMED = Path.of(System.getProperty("jjf.fuzz.unconfirmed", "target/fuzz-unconfirmed"));
    /** A replay is one input through one reader; far longer means the fresh JVM hangs too. */
    private static final long REPLAY_SECONDS = 120;
    private static final int CONFIRMED_EXIT = 1;

    private Replay() {
    }

    /** True when Jazzer fuzzes in this JVM (the fuzz profile sets JAZZER_FUZZ; a replay unsets it). */
    static boolean underFuzzing() {
        String fuzz = System.getenv("JAZZER_FUZZ");
        return fuzz != null && !fuzz.isEmpty();
    }

    /**
     * Whether {@code finding}, made on {@code input} by {@code target}, counts: always outside
     * fuzzing (the measurement was made without instrumentation), and under fuzzing only when a
     * fresh JVM fails on the input too.
     */
    static boolean confirms(Targets target, byte[] input, AssertionError finding) {
        if (!underFuzzing()) return true;
        try {
            Files.createDirectories(UNCONFIRMED);
            Path file = Files.createTempFile(UNCONFIRMED, target.name().toLowerCase() + "-", ".input");
            Files.write(file, input);
            Path log = Path.of(file + ".replay");
            if (failsInFreshJvm(target, file, log)) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(log);
                return true;
            }
            Files.writeString(Path.of(file + ".finding"), finding.getMessage() + "\n", StandardCharsets.UTF_8);
            System.err.println("jjf-fuzz: not confirmed in a fresh JVM, not counted: " + finding.getMessage()
                    + " (input: " + file + ")");
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replay a finding", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * Whether {@code target} fails on the bytes of {@code input} in a JVM of its own, without Jazzer
     * (its output goes to {@code log}).
     */
    static boolean failsInFreshJvm(Targets target, Path input, Path log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + Runtime.getRuntime().maxMemory() / (1 << 20) + "m");
        command.add("-D" + Oracle.FIXED_BYTES_PROPERTY + "=" + Oracle.FIXED_BYTES);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Replay.class.getName());
        command.add(target.name());
        command.add(input.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("JAZZER_FUZZ");
        Process p = pb.start();
        if (!p.waitFor(REPLAY_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return true;
        }
        // Only a clean pass dismisses a finding; a replay that cannot run at all does not.
        return p.exitValue() != 0;
    }

    /**
     * Runs target {@code args[0]} on the bytes of file {@code args[1]}: exit 0 when the contract
     * holds, 1 when it does not (the message on stderr), 2 on a usage error.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Replay TARGET FILE");
            System.exit(2);
        }
        byte[] input = Files.readAllBytes(Path.of(args[1]));
        try {
            Targets.valueOf(args[0]).check.run(input);
        } catch (AssertionError e) {
            System.err.println(e.getMessage());
            System.exit(CONFIRMED_EXIT);
        }
        System.exit(0);
    }
}
