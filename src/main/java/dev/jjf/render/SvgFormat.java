package dev.jjf.render;

import dev.jjf.model.FrameKind;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Text helpers shared by the renderer and mirrored by flamegraph.js: the label fitting and unit
 * rules here must stay the same as there, or labels change when a zoom is reset.
 */
final class SvgFormat {
    /** Average glyph width of a 12 px proportional font, as flamegraph.pl assumes. */
    static final double CHAR_WIDTH = 0.59 * 12;
    /** Gap between a frame's left edge and its label. */
    static final double TEXT_PAD = 3;
    /** Labels shorter than this are noise, so narrower frames get none. */
    static final int MIN_LABEL_CHARS = 3;

    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};
    /** Beyond this a scaled value no longer fits a long exactly. */
    private static final double EXACT_LIMIT = 9e15;

    private SvgFormat() {
    }

    /**
     * Makes a name storable in XML 1.0: characters XML forbids (most controls, lone surrogates,
     * U+FFFE/U+FFFF) would make the whole file unreadable, so they become U+FFFD; tabs and line
     * breaks become spaces because attribute normalisation would do that anyway and a frame name
     * is one line.
     */
    static String xmlSafe(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0xD800 || c >= 0xE000 && c <= 0xFFFD) {
                i++;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i += 2;
            } else {
                break;
            }
        }
        if (i == n) return s;
        StringBuilder b = new StringBuilder(n).append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0xD800 || c >= 0xE000 && c <= 0xFFFD) {
                b.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (c == '\t' || c == '\n' || c == '\r') {
                b.append(' ');
            } else {
                b.append('\uFFFD');
            }
            i++;
        }
        return b.toString();
    }

    /** Escapes text or an attribute value (either quote style) after {@link #xmlSafe}. */
    static StringBuilder escape(StringBuilder out, String s) {
        String safe = xmlSafe(s);
        for (int i = 0, n = safe.length(); i < n; i++) {
            char c = safe.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out;
    }

    static String escape(String s) {
        return escape(new StringBuilder(s.length() + 16), s).toString();
    }

    /**
     * Formats with at most {@code decimals} digits after the point, dropping trailing zeros;
     * hand-rolled because String.format is the slowest step of a large render.
     */
    static String decimal(double v, int decimals) {
        return fixed(new StringBuilder(24), v, decimals, false).toString();
    }

    /** Appends {@code v} rounded half up to {@code decimals} digits, trailing zeros kept if asked. */
    static StringBuilder fixed(StringBuilder b, double v, int decimals, boolean keepZeros) {
        if (!Double.isFinite(v)) return b.append('0');
        long scale = POW10[decimals];
        if (Math.abs(v) * scale >= EXACT_LIMIT) {
            BigDecimal d = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP);
            return b.append((keepZeros ? d : d.stripTrailingZeros()).toPlainString());
        }
        long r = Math.round(v * scale);
        if (r < 0) {
            b.append('-');
            r = -r;
        }
        b.append(r / scale);
        long frac = r % scale;
        int digits = decimals;
        if (!keepZeros) {
            if (frac == 0) return b;
            while (frac % 10 == 0) {
                frac /= 10;
                digits--;
            }
        }
        if (digits == 0) return b;
        b.append('.');
        String f = Long.toString(frac);
        for (int pad = digits - f.length(); pad > 0; pad--) b.append('0');
        return b.append(f);
    }

    /** "12.34%" of the total; the total may be zero for an empty profile. */
    static String percent(double value, double total) {
        double p = total > 0 ? value / total * 100 : 0;
        return fixed(new StringBuilder(8), p, 2, true).append('%').toString();
    }

    /**
     * Bytes in binary units ("1.2 GiB"), anything else as a whole count with thousands separators
     * followed by the unit ("1,234,567 objects").
     */
    static String human(double value, String unit) {
        StringBuilder b = new StringBuilder(24);
        if ("bytes".equals(unit)) {
            double v = value;
            int k = 0;
            // Step up before rounding could print "1024.0 KiB".
            while (k < BYTE_UNITS.length - 1 && Math.abs(v) >= (k == 0 ? 1023.5 : 1023.95)) {
                v /= 1024;
                k++;
            }
            if (k == 0) return b.append(Math.round(v)).append(" B").toString();
            return fixed(b, v, 1, true).append(' ').append(BYTE_UNITS[k]).toString();
        }
        long n = Math.round(value);
        String digits = Long.toString(Math.abs(n));
        if (n < 0) b.append('-');
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) b.append(',');
            b.append(digits.charAt(i));
        }
        return b.append(' ').append(unit).toString();
    }

    /**
     * The label that fits a frame {@code widthPx} wide: the name, the name cut with "..", or ""
     * when fewer than {@link #MIN_LABEL_CHARS} characters fit.
     */
    static String fitLabel(String name, double widthPx) {
        int max = (int) Math.floor((widthPx - 2 * TEXT_PAD) / CHAR_WIDTH);
        if (max < MIN_LABEL_CHARS) return "";
        if (name.length() <= max) return name;
        int cut = max - 2;
        // Never split a surrogate pair: half a pair is not a character XML can hold.
        if (Character.isHighSurrogate(name.charAt(cut - 1))) cut--;
        return name.substring(0, cut) + "..";
    }

    /**
     * The kind's colour as 0xRRGGBB, lightened or darkened by up to 15 % by a hash of the name, so
     * that neighbouring frames of one kind stay apart while the kind stays recognisable.
     */
    static int shadeRgb(FrameKind kind, String name) {
        int base = Integer.parseInt(kind.colour().substring(1), 16);
        // FNV-1a: String.hashCode clusters for names with shared prefixes such as package names.
        int h = 0x811C9DC5;
        for (int i = 0, n = name.length(); i < n; i++) {
            h ^= name.charAt(i);
            h *= 0x01000193;
        }
        h ^= h >>> 16;
        double f = ((h & 0xFFFF) / 65535.0 - 0.5) * 0.3;
        return tint(base >> 16 & 0xFF, f) << 16 | tint(base >> 8 & 0xFF, f) << 8 | tint(base & 0xFF, f);
    }

    private static int tint(int channel, double f) {
        double v = f >= 0 ? channel + (255 - channel) * f : channel * (1 + f);
        return (int) Math.round(v);
    }

    /** "+1.5 MiB" / "-20 objects": a change, always signed. */
    static String signedHuman(double delta, String unit) {
        String h = human(Math.abs(delta), unit);
        return (delta < 0 ? "-" : "+") + h;
    }

    /**
     * Differential colour as 0xRRGGBB: red for growth, blue for shrinkage, stronger the larger the
     * change relative to the largest change drawn; near-white for no change, as FlameGraph's
     * differential graphs do.
     */
    static int deltaRgb(double delta, double maxAbsDelta) {
        double r = maxAbsDelta > 0 ? Math.min(1, Math.abs(delta) / maxAbsDelta) : 0;
        int pale = (int) Math.round(235 - 190 * r);
        if (delta > 0) return 255 << 16 | pale << 8 | pale;
        if (delta < 0) return pale << 16 | pale << 8 | 255;
        return 235 << 16 | 235 << 8 | 235;
    }
}
