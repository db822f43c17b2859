package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kept seed and crash input through its target, in a plain JUnit run without Jazzer's agent:
 * the regression half of fuzzing, cheap enough for every build.
 */
class SeedReplayTest {
    static List<Seeds.Seed> seeds() {
        return Seeds.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void keepsTheContract(Seeds.Seed seed) throws Exception {
        seed.run();
    }

    @Test
    void everyByteTargetHasRealSeeds() {
        for (Targets t : List.of(Targets.HEAP_PROFILE, Targets.PERF_MAP, Targets.ELF, Targets.DEMANGLER, Targets.HPROF)) {
            assertTrue(seeds().stream().anyMatch(s -> s.target() == t && !s.combined()), "no seeds for " + t);
        }
    }
}
