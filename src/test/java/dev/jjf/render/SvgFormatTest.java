package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jjf.model.FrameKind;
import org.junit.jupiter.api.Test;

class SvgFormatTest {
    @Test
    void bytesUseBinaryUnitsWithOneDecimal() {
        assertEquals("0 B", SvgFormat.human(0, "bytes"));
        assertEquals("513 B", SvgFormat.human(512.6, "bytes"));
        assertEquals("1023 B", SvgFormat.human(1023.4, "bytes"));
        assertEquals("1.0 KiB", SvgFormat.human(1023.6, "bytes"));
        assertEquals("1.5 KiB", SvgFormat.human(1536, "bytes"));
        assertEquals("1.0 MiB", SvgFormat.human(1024 * 1023.97, "bytes"));
        assertEquals("1.2 GiB", SvgFormat.human(1.2 * (1L << 30), "bytes"));
        assertEquals("3.0 TiB", SvgFormat.human(3.0 * (1L << 40), "bytes"));
    }

    @Test
    void countsUseThousandsSeparators() {
        assertEquals("0 objects", SvgFormat.human(0, "objects"));
        assertEquals("999 objects", SvgFormat.human(999, "objects"));
        assertEquals("1,000 objects", SvgFormat.human(999.6, "objects"));
        assertEquals("1,234,567 objects", SvgFormat.human(1_234_567, "objects"));
        assertEquals("12,345,678,901 objects", SvgFormat.human(12_345_678_901.0, "objects"));
    }

    @Test
    void decimalsAreShortAndExact() {
        assertEquals("0", SvgFormat.decimal(0, 2));
        assertEquals("12", SvgFormat.decimal(12.0001, 2));
        assertEquals("12.5", SvgFormat.decimal(12.5, 2));
        assertEquals("0.05", SvgFormat.decimal(0.05, 2));
        assertEquals("-3.14", SvgFormat.decimal(-3.14159, 2));
        assertEquals("1234.568", SvgFormat.decimal(1234.5678, 3));
        assertEquals("15000000000000002", SvgFormat.decimal(1.5e16 + 2, 3), "past the exact range of a long");
        assertEquals("37.50%", SvgFormat.percent(768, 2048));
        assertEquals("100.00%", SvgFormat.percent(1, 1));
        assertEquals("0.00%", SvgFormat.percent(5, 0));
    }

    @Test
    void labelsFitOrAreCutOrLeftOut() {
        assertEquals("malloc", SvgFormat.fitLabel("malloc", 200));
        // (50 - 6) / 7.08 = 6 characters: four of the name and "..".
        assertEquals("java..", SvgFormat.fitLabel("java.lang.Thread.run", 50));
        assertEquals("", SvgFormat.fitLabel("java.lang.Thread.run", 26));
        // Six characters fit, so the cut is after four UTF-16 units, never inside a surrogate pair.
        assertEquals("ab\uD83D\uDE00..", SvgFormat.fitLabel("ab\uD83D\uDE00cdefgh", 50));
        assertEquals("abc..", SvgFormat.fitLabel("abc\uD83D\uDE00defgh", 50));
    }

    @Test
    void xmlSafeReplacesWhatXmlCannotHold() {
        String fine = "ok <&> \u00e9 \uD83D\uDE00";
        assertSame(fine, SvgFormat.xmlSafe(fine));
        assertEquals("a\uFFFDb c\uFFFD\uFFFD", SvgFormat.xmlSafe("a\u0000b\tc\uDC00\uFFFF"));
        assertEquals("&lt;/text&gt;&amp;amp;&quot;&apos;]]&gt;", SvgFormat.escape("</text>&amp;\"']]>"));
    }

    @Test
    void namesVaryTheShade() {
        assertNotEquals(SvgFormat.shadeRgb(FrameKind.JAVA, "foo"), SvgFormat.shadeRgb(FrameKind.JAVA, "bar"));
    }
}
