package dev.personascope.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A line chart of named (x, y) series, each optionally with a shaded low..high band, plus vertical
 * marker lines with labels (such as "alarm at step 40") and a legend. Points with a non-finite
 * coordinate are left out.
 *
 * <pre>{@code
 * String svg = new LineChart("Misalignment vs steering", "coefficient", "misaligned")
 *         .series("persona 12", coefs, rates, lows, highs)
 *         .marker(0, "no steering")
 *         .svg();
 * }</pre>
 */
public final class LineChart implements Chart {
    private static final int LEGEND_WIDTH = 150;

    private record Series(String name, double[] x, double[] y, double[] low, double[] high) {
    }

    private record Marker(double x, String label) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();
    private int width = 720;
    private int height = 360;
    private Double yMin;
    private Double yMax;

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LineChart series(String name, double[] x, double[] y) {
        return series(name, x, y, null, null);
    }

    /** A series with a shaded band from low[i] to high[i] at each x[i] (e.g. a 95% interval). */
    public LineChart series(String name, double[] x, double[] y, double[] low, double[] high) {
        if (x.length != y.length || (low != null && low.length != x.length) || (high != null && high.length != x.length)) {
            throw new IllegalArgumentException("series " + name + ": x, y, low and high must have the same length");
        }
        if ((low == null) != (high == null)) {
            throw new IllegalArgumentException("series " + name + ": give both low and high, or neither");
        }
        series.add(new Series(name, x.clone(), y.clone(), low == null ? null : low.clone(), high == null ? null : high.clone()));
        return this;
    }

    /** A dashed vertical line at x with a label at its top. */
    public LineChart marker(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    /** Fixes the y range instead of fitting it to the data (e.g. 0..1 for fractions). */
    public LineChart yRange(double min, double max) {
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    public LineChart size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    @Override
    public String svg() {
        double[] xr = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] yr = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i])) {
                    include(xr, s.x[i]);
                    include(yr, s.y[i]);
                    if (s.low != null) {
                        include(yr, s.low[i]);
                        include(yr, s.high[i]);
                    }
                }
            }
        }
        for (Marker m : markers) {
            include(xr, m.x);
        }
        Axis xa = Axis.within(xr[0], xr[1], 8);
        Axis ya = yMin != null ? Axis.within(yMin, yMax, 6) : Axis.nice(yr[0], yr[1], 6);
        Frame f = new Frame(width, height, LEGEND_WIDTH);
        Svg svg = new Svg(width, height, "chart line-chart", title);
        f.title(svg, title);
        f.yAxis(svg, ya, yLabel, ya::label);
        f.xAxis(svg, xa, xLabel);
        for (int k = 0; k < series.size(); k++) {
            drawSeries(svg, f, xa, ya, series.get(k), Svg.color(k));
        }
        for (int k = 0; k < markers.size(); k++) {
            Marker m = markers.get(k);
            double x = f.x(xa, m.x);
            svg.open("g", "class", "marker", "data-x", Double.toString(m.x), "data-label", m.label);
            svg.empty("line", "x1", Svg.num(x), "x2", Svg.num(x), "y1", Svg.num(f.top), "y2", Svg.num(f.bottom),
                    "stroke", "#c0392b", "stroke-dasharray", "5 4");
            svg.text(x + 4, f.top + 12 + 14 * k, m.label, "fill", "#c0392b");
            svg.close("g");
        }
        legend(svg, f);
        return svg.end();
    }

    private static void drawSeries(Svg svg, Frame f, Axis xa, Axis ya, Series s, String color) {
        svg.open("g", "class", "series", "data-name", s.name);
        if (s.low != null) {
            StringBuilder upper = new StringBuilder();
            StringBuilder lower = new StringBuilder();
            for (int i = 0; i < s.x.length; i++) {
                if (finite(s.x[i], s.low[i], s.high[i])) {
                    upper.append(upper.length() == 0 ? "M" : " L").append(point(f, xa, ya, s.x[i], s.high[i]));
                    lower.insert(0, " L" + point(f, xa, ya, s.x[i], s.low[i]));
                }
            }
            if (upper.length() > 0) {
                svg.empty("path", "class", "band", "d", upper + lower.toString() + " Z", "fill", color,
                        "fill-opacity", "0.18", "stroke", "none");
            }
        }
        StringBuilder points = new StringBuilder();
        int n = 0;
        for (int i = 0; i < s.x.length; i++) {
            if (finite(s.x[i], s.y[i])) {
                points.append(n++ == 0 ? "" : " ").append(point(f, xa, ya, s.x[i], s.y[i]));
            }
        }
        svg.empty("polyline", "class", "line", "data-points", Integer.toString(n), "points", points.toString(),
                "fill", "none", "stroke", color, "stroke-width", "2", "stroke-linejoin", "round");
        if (n == 1) { // a lone point draws no line: show it as a dot
            String[] xy = points.toString().split(",");
            svg.empty("circle", "class", "dot", "cx", xy[0], "cy", xy[1], "r", "3", "fill", color);
        }
        svg.close("g");
    }

    private void legend(Svg svg, Frame f) {
        svg.open("g", "class", "legend");
        for (int k = 0; k < series.size(); k++) {
            double y = f.top + 18 * k;
            svg.open("g", "class", "legend-item", "data-name", series.get(k).name);
            svg.empty("rect", "x", Svg.num(f.right + 12), "y", Svg.num(y), "width", "12", "height", "12",
                    "fill", Svg.color(k));
            svg.text(f.right + 30, y + 10, series.get(k).name);
            svg.close("g");
        }
        svg.close("g");
    }

    private static String point(Frame f, Axis xa, Axis ya, double x, double y) {
        return Svg.num(f.x(xa, x)) + "," + Svg.num(f.y(ya, y));
    }

    private static boolean finite(double... vs) {
        for (double v : vs) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static void include(double[] range, double v) {
        if (Double.isFinite(v)) {
            range[0] = Math.min(range[0], v);
            range[1] = Math.max(range[1], v);
        }
    }
}
