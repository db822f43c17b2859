package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.profile.StackSample;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * One named test per failure the fuzz oracle found, each on the input kept in the target's
 * Inputs folder (which SeedReplayTest also replays), checking the behaviour that was wrong.
 */
class FuzzRegressionTest {
    static Path input(Targets target, String name) {
        try {
            return Path.of(FuzzRegressionTest.class.getResource(target.inputs + "/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A sample period near 2^63 made jeprof's scale 1 / (1 - exp(-ratio)) divide by zero: every
     * stack was infinite and the SVG said "Total 0 EiB".
     */
    @Test
    void hugeSamplePeriodGivesFiniteValues() throws IOException {
        Path file = input(Targets.HEAP_PROFILE, "infinite-scale.heap");
        HeapProfile p = HeapProfileParser.parse(file);
        for (StackSample s : p.samples()) {
            for (Metric m : Metric.values()) {
                double v = m.value(s, p.samplePeriodBytes());
                assertTrue(Double.isFinite(v) && v >= 0, m + " " + v);
            }
        }
        // 100 bytes in one object sampled once per 2^63 bytes stands for about 2^63 bytes.
        assertEquals(9.223372036854776e18, Metric.INUSE_SPACE.value(p.samples().get(1), p.samplePeriodBytes()), 1e4);
        HeapProfileFuzzTest.check(Files.readAllBytes(file));
    }
}
