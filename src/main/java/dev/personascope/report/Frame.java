package dev.personascope.report;

import java.util.function.DoubleFunction;

/**
 * The plot area of a chart: its pixel box inside the SVG, the mapping of axis values to pixels,
 * and the title, grid lines, ticks and axis labels around it.
 */
final class Frame {
    final int width;
    final int height;
    final double left;
    final double top;
    final double right;
    final double bottom;

    Frame(int width, int height, double legendWidth) {
        this.width = width;
        this.height = height;
        this.left = 64;
        this.top = 36;
        this.right = width - 16 - legendWidth;
        this.bottom = height - 48;
    }

    double x(Axis axis, double v) {
        return left + axis.fraction(v) * (right - left);
    }

    double y(Axis axis, double v) {
        return bottom - axis.fraction(v) * (bottom - top);
    }

    void title(Svg svg, String title) {
        svg.text(width / 2.0, 20, title, "class", "chart-title", "text-anchor", "middle",
                "font-size", "14", "font-weight", "bold");
    }

    /** Horizontal grid lines with tick labels on the left, and the axis label turned upright. */
    void yAxis(Svg svg, Axis axis, String label, DoubleFunction<String> format) {
        svg.open("g", "class", "axis y-axis");
        for (double t : axis.ticks()) {
            double y = y(axis, t);
            svg.empty("line", "class", "grid", "x1", Svg.num(left), "x2", Svg.num(right),
                    "y1", Svg.num(y), "y2", Svg.num(y), "stroke", "#e0e0e0");
            svg.text(left - 6, y + 4, format.apply(t), "class", "tick", "text-anchor", "end");
        }
        svg.empty("line", "x1", Svg.num(left), "x2", Svg.num(left), "y1", Svg.num(top), "y2", Svg.num(bottom),
                "stroke", "#444");
        double cy = (top + bottom) / 2;
        svg.text(16, cy, label, "class", "axis-label", "text-anchor", "middle",
                "transform", "rotate(-90 16 " + Svg.num(cy) + ")");
        svg.close("g");
    }

    /** The baseline with tick marks and labels below it, and the axis label. */
    void xAxis(Svg svg, Axis axis, String label) {
        svg.open("g", "class", "axis x-axis");
        baseline(svg);
        if (axis != null) {
            for (double t : axis.ticks()) {
                double x = x(axis, t);
                svg.empty("line", "x1", Svg.num(x), "x2", Svg.num(x), "y1", Svg.num(bottom),
                        "y2", Svg.num(bottom + 5), "stroke", "#444");
                svg.text(x, bottom + 18, axis.label(t), "class", "tick", "text-anchor", "middle");
            }
        }
        svg.text((left + right) / 2, height - 10, label, "class", "axis-label", "text-anchor", "middle");
        svg.close("g");
    }

    private void baseline(Svg svg) {
        svg.empty("line", "x1", Svg.num(left), "x2", Svg.num(right), "y1", Svg.num(bottom), "y2", Svg.num(bottom),
                "stroke", "#444");
    }
}
