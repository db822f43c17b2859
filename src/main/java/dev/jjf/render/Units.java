package dev.jjf.render;

/** Formats values for people: bytes in binary units, counts with thousands separators. */
public final class Units {
    private Units() {
    }

    /** "1.5 MiB" for bytes, "12,345 objects" otherwise; the same text the SVG shows. */
    public static String format(double value, String unit) {
        return SvgFormat.human(value, unit);
    }

    public static String bytes(double bytes) {
        return SvgFormat.human(bytes, "bytes");
    }
}
