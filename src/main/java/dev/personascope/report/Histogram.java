package dev.personascope.report;

import java.util.Locale;

/**
 * A histogram of counts in equal-width bins over [lo, hi), such as a latent's activations.
 * {@link #of} bins raw values itself.
 */
public final class Histogram implements Chart {
    private final String title;
    private final String xLabel;
    private final double lo;
    private final double hi;
    private final long[] counts;
    private int width = 640;
    private int height = 320;

    public Histogram(String title, String xLabel, double lo, double hi, long[] counts) {
        if (!(hi > lo) || counts.length == 0) {
            throw new IllegalArgumentException("a histogram needs lo < hi and at least one bin");
        }
        this.title = title;
        this.xLabel = xLabel;
        this.lo = lo;
        this.hi = hi;
        this.counts = counts.clone();
    }

    /** Bins the finite values into {@code bins} equal bins from their minimum to their maximum. */
    public static Histogram of(String title, String xLabel, double[] values, int bins) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) {
            min = 0;
            max = 1;
        } else if (max == min) {
            max = min + 1;
        }
        long[] counts = new long[bins];
        for (double v : values) {
            if (Double.isFinite(v)) {
                counts[(int) Math.min(bins - 1, Math.floor((v - min) / (max - min) * bins))]++;
            }
        }
        return new Histogram(title, xLabel, min, max, counts);
    }

    public Histogram size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    @Override
    public String svg() {
        long most = 1;
        for (long c : counts) {
            most = Math.max(most, c);
        }
        Axis xa = Axis.within(lo, hi, 8);
        Axis ya = Axis.nice(0, most, 5);
        Frame f = new Frame(width, height, 0);
        Svg svg = new Svg(width, height, "chart histogram", title);
        f.title(svg, title);
        f.yAxis(svg, ya, "count", v -> String.format(Locale.ROOT, "%.0f", v));
        double binWidth = (hi - lo) / counts.length;
        svg.open("g", "class", "bins", "fill", Svg.color(0));
        for (int i = 0; i < counts.length; i++) {
            double b0 = lo + i * binWidth;
            double x0 = f.x(xa, b0);
            double x1 = f.x(xa, b0 + binWidth);
            double y = f.y(ya, counts[i]);
            svg.empty("rect", "class", "bin", "data-count", Long.toString(counts[i]),
                    "data-lo", Double.toString(b0), "data-hi", Double.toString(b0 + binWidth),
                    "x", Svg.num(x0), "y", Svg.num(y), "width", Svg.num(Math.max(x1 - x0 - 1, 0.5)),
                    "height", Svg.num(f.bottom - y));
        }
        svg.close("g");
        f.xAxis(svg, xa, xLabel);
        return svg.end();
    }
}
