package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.PerfMapEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A perf map as bytes, in whatever mix of the JDK's dialect and perf-map-agent's it holds (the
 * seeds have both): read, every range looked up at its edges, every name turned into Java frames.
 */
class PerfMapFuzzTest {
    private static final Path INPUT = FuzzFiles.dir().resolve("perf-fuzzed.map");

    @FuzzTest
    void read(byte[] data) throws Exception {
        check(data);
    }

    static void check(byte[] data) throws Exception {
        Files.write(INPUT, data);
        Oracle.check(Targets.PERF_MAP, data, data.length, () -> {
            List<String> warnings = new ArrayList<>();
            PerfMap map = PerfMap.read(INPUT, warnings::add);
            assertTrue(warnings.size() <= 1, "one warning per file: " + warnings);
            for (String w : warnings) assertEquals(-1, w.indexOf('\n'), "warning over several lines: " + w);
            probe(map, data);
        });
    }

    /** Looks up the addresses the input mentions, and the addresses around them. */
    private static void probe(PerfMap map, byte[] data) {
        String text = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n", 64)) {
            String[] f = line.strip().split(" +", 3);
            if (f.length < 2) continue;
            long start = hex(f[0]);
            long size = hex(f[1]);
            for (long a : new long[] {start - 1, start, start + size - 1, start + size}) {
                PerfMapEntry e = map.lookup(a);
                if (e == null) continue;
                assertTrue(Long.compareUnsigned(a, e.start()) >= 0 && Long.compareUnsigned(a, e.end()) < 0, "lookup(" + Long.toHexString(a) + ") gave " + e);
                assertNotNull(e.javaFrames());
                for (String frame : e.javaFrames()) assertTrue(!frame.isEmpty(), "an empty Java frame from " + e);
            }
        }
    }

    private static long hex(String s) {
        String digits = s.startsWith("0x") ? s.substring(2) : s;
        try {
            return Long.parseUnsignedLong(digits, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
