package dev.jjf.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HeapProfileParserTest {
    private static final Path FILE = Path.of("test.heap");

    static final String PROFILE = """
            heap_v2/524288
              t*: 3: 1600 [0: 0]
              t0: 1: 576 [0: 0]
              t1: 2: 1024 [0: 0]
            @ 0x7f1b2c8a2630 0x7f1b2c8a2d21 0x55e287ce8100
              t*: 1: 576 [2: 1152]
              t0: 1: 576 [2: 1152]
            @ 0x7f1b2c8a2630 0x55e287ce8200
              t*: 2: 1024 [0: 0]
              t1: 2: 1024 [0: 0]

            MAPPED_LIBRARIES:
            55e287ce8000-55e287ce9000 r-xp 00001000 fe:00 327901                     /usr/lib/jvm/java-17-openjdk-amd64/bin/java
            7f1b2c800000-7f1b2c900000 r-xp 00000000 00:00 0
            7f1b2c900000-7f1b2c901000 r--p 00000000 fe:00 12   /tmp/libfoo 123.so (deleted)
            """;

    static HeapProfile parse(String text) throws IOException {
        return HeapProfileParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), FILE);
    }

    @Test
    void readsStacksCountsAndMappings() throws IOException {
        HeapProfile p = parse(PROFILE);
        assertEquals(524288, p.samplePeriodBytes());
        assertEquals(2, p.samples().size());
        StackSample first = p.samples().get(0);
        assertArrayEquals(new long[] {0x7f1b2c8a2630L, 0x7f1b2c8a2d21L, 0x55e287ce8100L}, first.addresses());
        assertEquals(1, first.objects());
        assertEquals(576, first.bytes());
        assertEquals(2, first.accumObjects());
        assertEquals(1152, first.accumBytes());
        assertEquals(3, p.mappings().size());
        Mapping java = p.mappings().get(0);
        assertEquals(0x55e287ce8000L, java.start());
        assertEquals(0x1000, java.offset());
        assertEquals("java", java.fileName());
        assertTrue(p.mappings().get(1).isAnonymous());
        Mapping deleted = p.mappings().get(2);
        assertTrue(deleted.isDeleted());
        assertEquals("/tmp/libfoo 123.so", deleted.filePath());
    }

    @Test
    void unsamplesLikeJeprof() throws IOException {
        HeapProfile p = parse(PROFILE);
        // jeprof: ratio = (bytes / objects) / period; scale = 1 / (1 - exp(-ratio))
        double s1 = 576 / (1 - Math.exp(-(576.0 / 1) / 524288));
        double s2 = 1024 / (1 - Math.exp(-(1024.0 / 2) / 524288));
        assertEquals(s1 + s2, total(p, Metric.INUSE_SPACE), 1e-6);
        double o1 = 1 / (1 - Math.exp(-(576.0 / 1) / 524288));
        double o2 = 2 / (1 - Math.exp(-(1024.0 / 2) / 524288));
        assertEquals(o1 + o2, total(p, Metric.INUSE_OBJECTS), 1e-9);
        double a1 = 1152 / (1 - Math.exp(-(1152.0 / 2) / 524288));
        assertEquals(a1, total(p, Metric.ALLOC_SPACE), 1e-6);
    }

    @Test
    void periodOneKeepsCountsAsWritten() throws IOException {
        HeapProfile p = parse(PROFILE.replace("heap_v2/524288", "heap_v2/1"));
        assertEquals(1600, total(p, Metric.INUSE_SPACE), 1e-6);
        assertEquals(3, total(p, Metric.INUSE_OBJECTS), 1e-9);
    }

    @Test
    void malformedInputNamesFileAndLine() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> parse(PROFILE.replace("t*: 2: 1024 [0: 0]", "t*: 2: x1024 [0: 0]")));
        assertEquals(FILE, e.file());
        assertEquals(9, e.line());

        assertEquals(1, assertThrows(BadInputException.class, () -> parse("hello\n")).line());
        assertThrows(BadInputException.class, () -> parse(""));
        assertThrows(BadInputException.class, () -> parse("heap_v2/1\n@ 0x1 0x2\n"));
        assertThrows(BadInputException.class, () -> parse(PROFILE.substring(0, PROFILE.indexOf("MAPPED"))));
        assertThrows(BadInputException.class, () -> parse(PROFILE.replace("[0: 0]", "[-1: 0]")));
        assertThrows(BadInputException.class, () -> parse(PROFILE.replace("t*: 2: 1024", "t*: 2: 99999999999999999999")));
        assertThrows(BadInputException.class, () -> parse(PROFILE.replace("0x55e287ce8200", "0x155e287ce82000000")));
    }

    @Test
    void toleratesCarriageReturnsAndBlankLines() throws IOException {
        HeapProfile p = parse(PROFILE.replace("\n", "\r\n"));
        assertEquals(2, p.samples().size());
        assertEquals(3, p.mappings().size());
    }

    @Test
    void overlongLineIsRejectedWithItsLineNumber() {
        String big = "heap_v2/1\n@ " + "0x1 ".repeat(HeapProfileParser.MAX_LINE_BYTES / 4 + 10) + "\n";
        BadInputException e = assertThrows(BadInputException.class, () -> parse(big));
        assertEquals(2, e.line());
    }

    /** A metric summed over every stack, unsampled as jeprof does: what the whole graph must add up to. */
    private static double total(HeapProfile profile, Metric metric) {
        double sum = 0;
        for (StackSample s : profile.samples()) sum += metric.value(s, profile.samplePeriodBytes());
        return sum;
    }
}
