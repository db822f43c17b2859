package dev.jjf.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A dump cut short (its process was killed while jemalloc wrote it) says so, with the line. */
class TruncatedProfileTest {
    private static final Path FILE = Path.of("cut.heap");

    private static BadInputException parse(String text) {
        return assertThrows(BadInputException.class, () -> HeapProfileParser.parse(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), FILE));
    }

    private static String cutAt(String marker, int extra) {
        String p = HeapProfileParserTest.PROFILE;
        return p.substring(0, p.indexOf(marker) + extra);
    }

    @Test
    void cutInTheMiddleOfAStackLine() {
        BadInputException e = parse(cutAt("0x7f1b2c8a2d21", 6));
        assertEquals(5, e.line());
        assertTrue(e.getMessage().endsWith("(the file ends in the middle of this line: truncated profile?)"), e.getMessage());
    }

    @Test
    void cutInTheMiddleOfACountLine() {
        BadInputException e = parse(cutAt("t*: 2: 1024", 7));
        assertEquals(9, e.line());
        assertTrue(e.getMessage().startsWith("expected a non-negative number at column 10"), e.getMessage());
        assertTrue(e.getMessage().endsWith("truncated profile?)"), e.getMessage());
    }

    @Test
    void cutAfterAStackLine() {
        BadInputException e = parse(cutAt("@ 0x7f1b2c8a2630 0x55e287ce8200", 32));
        assertEquals("file ends inside a stack (truncated profile?)", e.getMessage());
    }

    @Test
    void cutBeforeMappedLibraries() {
        BadInputException e = parse(cutAt("MAPPED_LIBRARIES", 0));
        assertTrue(e.getMessage().startsWith("no MAPPED_LIBRARIES section (truncated profile?)"), e.getMessage());
    }

    @Test
    void aWholeLastLineWithoutNewlineIsNotCalledCut() {
        BadInputException e = parse("heap_v2/1\n  t*: 1: 1 [0: 0]\nbogus");
        assertEquals("unexpected line 'bogus' (the file ends in the middle of this line: truncated profile?)", e.getMessage());
        BadInputException complete = parse("heap_v2/1\nbogus\n");
        assertEquals("unexpected line 'bogus'", complete.getMessage());
    }
}
