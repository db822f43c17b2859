package dev.jjf.render;

import java.util.Locale;

/** Formats values for people: bytes in binary units, counts with thousands separators. */
public final class Units {
    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    private static final double KIB = 1024.0;

    private Units() {
    }

    /** "1.5 MiB" for bytes, "12,345 objects" otherwise. */
    public static String format(double value, String unit) {
        return "bytes".equals(unit) ? bytes(value) : String.format(Locale.ROOT, "%,d %s", Math.round(value), unit);
    }

    public static String bytes(double bytes) {
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= KIB && u < BYTE_UNITS.length - 1) {
            v /= KIB;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%d B", Math.round(v)) : String.format(Locale.ROOT, "%.1f %s", v, BYTE_UNITS[u]);
    }
}
