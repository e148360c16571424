package dev.personascope.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bar chart of fractions (0..1, labelled as percentages), one bar per label, each optionally
 * with a whisker for its 95% interval, such as the misaligned fraction per model.
 */
public final class BarChart implements Chart {
    private record Bar(String label, double value, double low, double high) {
    }

    private final String title;
    private final String yLabel;
    private final List<Bar> bars = new ArrayList<>();
    private int width = 640;
    private int height = 360;

    public BarChart(String title, String yLabel) {
        this.title = title;
        this.yLabel = yLabel;
    }

    public BarChart bar(String label, double fraction) {
        return bar(label, fraction, Double.NaN, Double.NaN);
    }

    /** A bar with a whisker from low to high (NaN for none). */
    public BarChart bar(String label, double fraction, double low, double high) {
        bars.add(new Bar(label, fraction, low, high));
        return this;
    }

    public BarChart size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    /** 0.123 as "12.3%", 0.2 as "20%". */
    static String percent(double fraction) {
        double p = 100 * fraction;
        return Math.abs(p - Math.rint(p)) < 1e-9 ? String.format(Locale.ROOT, "%.0f%%", p)
                : String.format(Locale.ROOT, "%.1f%%", p);
    }

    @Override
    public String svg() {
        double top = 0;
        for (Bar b : bars) {
            top = Math.max(top, Double.isFinite(b.high) ? Math.max(b.high, b.value) : b.value);
        }
        Axis ya = Axis.nice(0, top > 0 ? Math.min(top, 1) : 1, 5);
        Frame f = new Frame(width, height, 0);
        Svg svg = new Svg(width, height, "chart bar-chart", title);
        f.title(svg, title);
        f.yAxis(svg, ya, yLabel, BarChart::percent);
        f.xAxis(svg, null, "");
        double slot = (f.right - f.left) / Math.max(1, bars.size());
        double barWidth = Math.min(60, slot * 0.6);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double cx = f.left + slot * (i + 0.5);
            double v = Double.isFinite(b.value) ? Math.max(0, Math.min(ya.hi(), b.value)) : 0;
            double y = f.y(ya, v);
            svg.open("g", "class", "bar-group", "data-label", b.label);
            svg.empty("rect", "class", "bar", "data-value", Double.toString(b.value),
                    "x", Svg.num(cx - barWidth / 2), "y", Svg.num(y), "width", Svg.num(barWidth),
                    "height", Svg.num(Math.max(f.bottom - y, 1)), "fill", Svg.color(i));
            double labelY = y - 6;
            if (Double.isFinite(b.low) && Double.isFinite(b.high)) {
                double lo = f.y(ya, Math.max(0, b.low));
                double hi = f.y(ya, Math.min(ya.hi(), b.high));
                String x = Svg.num(cx);
                String cap0 = Svg.num(cx - 8);
                String cap1 = Svg.num(cx + 8);
                svg.open("g", "class", "whisker", "data-low", Double.toString(b.low), "data-high", Double.toString(b.high),
                        "stroke", "#222", "stroke-width", "1.5");
                svg.empty("line", "x1", x, "x2", x, "y1", Svg.num(lo), "y2", Svg.num(hi));
                svg.empty("line", "x1", cap0, "x2", cap1, "y1", Svg.num(lo), "y2", Svg.num(lo));
                svg.empty("line", "x1", cap0, "x2", cap1, "y1", Svg.num(hi), "y2", Svg.num(hi));
                svg.close("g");
                labelY = Math.min(labelY, hi - 6);
            }
            svg.text(cx + (Double.isFinite(b.high) ? 12 : 0), labelY, Double.isFinite(b.value) ? percent(b.value) : "n/a",
                    "class", "value", "text-anchor", Double.isFinite(b.high) ? "start" : "middle");
            svg.text(cx, f.bottom + 18, b.label, "class", "label", "text-anchor", "middle");
            svg.close("g");
        }
        return svg.end();
    }
}
