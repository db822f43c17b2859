package dev.jjf.render;

import java.util.Objects;

/**
 * Options for one SVG flamegraph.
 *
 * @param title shown above the graph and as the document title
 * @param minWidthPercent frames narrower than this share of the total are left out, with their callees
 * @param widthPx width of the image in pixels
 * @param maxFrames most frames drawn; when more pass {@code minWidthPercent} the threshold is raised,
 *     because browsers get sluggish with tens of thousands of SVG groups
 */
public record SvgOptions(String title, double minWidthPercent, int widthPx, int maxFrames) {
    /** About one pixel at the default width, as flamegraph.pl's default minimum width. */
    public static final double DEFAULT_MIN_WIDTH_PERCENT = 0.1;
    /** flamegraph.pl's default width. */
    public static final int DEFAULT_WIDTH_PX = 1200;
    /** Drawn frames at most unless told otherwise. */
    public static final int DEFAULT_MAX_FRAMES = 5_000;

    /** Validates; the legend and controls need a few hundred pixels to stay legible. */
    public SvgOptions {
        Objects.requireNonNull(title, "title");
        if (!(minWidthPercent >= 0 && minWidthPercent < 100)) {
            throw new IllegalArgumentException("minWidthPercent must be in [0, 100): " + minWidthPercent);
        }
        if (widthPx < 300 || widthPx > 100_000) {
            throw new IllegalArgumentException("widthPx must be in [300, 100000]: " + widthPx);
        }
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be positive: " + maxFrames);
        }
    }

    /** Options with the default frame limit. */
    public SvgOptions(String title, double minWidthPercent, int widthPx) {
        this(title, minWidthPercent, widthPx, DEFAULT_MAX_FRAMES);
    }

    /** Default width, minimum width and frame limit with the given title. */
    public static SvgOptions defaults(String title) {
        return new SvgOptions(title, DEFAULT_MIN_WIDTH_PERCENT, DEFAULT_WIDTH_PX, DEFAULT_MAX_FRAMES);
    }
}
