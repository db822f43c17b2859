package dev.jjf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;

/**
 * All targets behind one: the first byte picks the reader, the rest is its input. Jazzer fuzzes
 * one test per JVM and starting one costs more than a short run itself, so `mvn verify` fuzzes
 * this one for a few seconds; scripts/fuzz.sh fuzzes each target on its own for longer.
 */
class ReadersFuzzTest {
    /** Where Jazzer keeps the corpus it grows for a test (relative to the project, as Jazzer puts it). */
    private static final Path GENERATED = Path.of(".cifuzz-corpus", ReadersFuzzTest.class.getName(), "anyReader");

    /**
     * Gives the combined target every target's seeds, prefixed with its selector byte; libFuzzer
     * reads the corpus when fuzzing starts, after this. What earlier runs grew there is dropped:
     * replaying hundreds of inputs would use up a short run before it fuzzes at all (the long runs
     * of scripts/fuzz.sh keep a corpus per target).
     */
    @BeforeAll
    static void seedCorpus() throws IOException {
        if (System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty()) return;
        Files.createDirectories(GENERATED);
        try (Stream<Path> old = Files.list(GENERATED)) {
            for (Path p : old.toList()) Files.delete(p);
        }
        for (Seeds.Seed seed : Seeds.all()) {
            if (seed.combined()) continue;
            byte[] bytes = Files.readAllBytes(seed.file());
            byte[] prefixed = new byte[bytes.length + 1];
            prefixed[0] = (byte) seed.target().ordinal();
            System.arraycopy(bytes, 0, prefixed, 1, bytes.length);
            Files.write(GENERATED.resolve("seed-" + seed.target() + "-" + seed.file().getFileName()), prefixed);
        }
    }

    @FuzzTest
    void anyReader(byte[] data) throws Exception {
        check(data);
    }

    static void check(byte[] data) throws Exception {
        if (data.length == 0) return;
        Targets.select(data[0]).check.run(Arrays.copyOfRange(data, 1, data.length));
    }
}
