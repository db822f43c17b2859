package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.PerfMapEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Perf maps written by the fuzzer in both dialects, with overlapping ranges and arbitrary names,
 * checked against a model: an address belongs to the last entry written that covers it, and the
 * name comes back exactly as written (less surrounding blanks).
 */
class PerfMapDialectsFuzzTest {
    private static final Path INPUT = FuzzFiles.dir().resolve("perf-dialects.map");
    private static final int MAX_ENTRIES = 40;

    private record Written(long start, long size, String name) {
        boolean covers(long a) {
            return Long.compareUnsigned(a, start) >= 0 && Long.compareUnsigned(a - start, size) < 0;
        }
    }

    @FuzzTest
    void entries(byte[] data) throws Exception {
        check(data);
    }

    static void check(byte[] data) throws Exception {
        FuzzInput in = new FuzzInput(data);
        // Addresses cluster near one base so that ranges overlap often.
        long base = in.nextBoolean() ? 0x7f0000000000L : in.nextLong();
        List<Written> written = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int n = in.nextInt(0, MAX_ENTRIES);
        for (int i = 0; i < n; i++) {
            long start = base + in.nextInt(0, 1 << 12);
            long size = in.nextBoolean() ? in.nextInt(1, 1 << 10) : in.nextLong();
            boolean agent = in.nextBoolean();
            String name = in.nextString(80).replace('\n', ' ').replace('\r', ' ');
            text.append(agent ? String.format("%x %x %s%n", start, size, name)
                    : String.format("0x%016x 0x%016x %s%n", start, size, name));
            String kept = name.strip();
            boolean wraps = Long.compareUnsigned(start + size, start) < 0;
            if (size != 0 && !kept.isEmpty() && !wraps && start != -1 && size != -1) {
                written.add(new Written(start, size, kept));
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(INPUT, bytes);
        Oracle.check(Targets.PERF_MAP_DIALECTS, data, bytes.length, () -> {
            PerfMap map = PerfMap.read(INPUT, w -> { });
            for (Written w : written) {
                for (long a : new long[] {w.start(), w.start() + w.size() - 1, w.start() + w.size() / 2}) {
                    assertEquals(expected(written, a), nameOf(map.lookup(a)), "address " + Long.toHexString(a));
                }
            }
            for (Written w : written) {
                PerfMapEntry e = map.lookup(w.start());
                if (e != null) e.javaFrames();
            }
        });
    }

    private static String expected(List<Written> written, long address) {
        String name = null;
        for (Written w : written) {
            if (w.covers(address)) name = w.name();
        }
        return name;
    }

    private static String nameOf(PerfMapEntry e) {
        return e == null ? null : e.name();
    }
}
