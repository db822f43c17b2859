package dev.jjf.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one /proc/PID/maps line parser (heap profiles, the library keeper, the attach check). */
class MapsLineTest {
    @Test
    void readsTheKernelsLayout() {
        MapsLine m = MapsLine.parse("7f5e2c000000-7f5e2c021000 r-xp 00001000 08:01 1234                       /usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
        assertEquals(new MapsLine(0x7f5e2c000000L, 0x7f5e2c021000L, "r-xp", 0x1000, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"), m);
        assertTrue(m.executable());
        assertEquals("/tmp/librocksdbjni123.so (deleted)",
                MapsLine.parse("7f00-8f00 r-xp 0 00:1f 77 /tmp/librocksdbjni123.so (deleted)  ").path());
        MapsLine anon = MapsLine.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0");
        assertEquals("", anon.path());
        assertEquals(0xffffffffff600000L, anon.start());
        assertFalse(MapsLine.parse("1000-2000 rw-p 0 0:0 0 [heap]").executable());
        assertEquals(0x1000, MapsLine.parse("\t0x1000-0x2000 r-xp 0x10 0:0 0 /a").start());
    }

    @Test
    void linesOfAnotherShapeAreNull() {
        for (String bad : List.of("", "1000", "1000 2000 r-xp 0 0:0 0 /a", "1000-zz r-xp 0 0:0 0 /a", "1000-2000 r-xp q 0:0 0 /a",
                "11112222333344445-2000 r-xp 0 0:0 0 /a", "1000x-2000 r-xp 0 0:0 0 /a")) {
            assertNull(MapsLine.parse(bad), bad);
        }
    }

    @Test
    void everyLineOfThisProcessesMapsParses() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/maps"));
        for (String line : lines) assertTrue(MapsLine.parse(line) != null, line);
        assertTrue(lines.stream().map(MapsLine::parse).anyMatch(m -> m.executable() && m.path().endsWith("/libjvm.so")));
    }
}
