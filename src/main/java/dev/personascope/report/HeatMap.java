package dev.personascope.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A heat map of values in [0, 1], rows × columns, such as latents × personas of AUROCs: each cell is coloured on a
 * diverging scale centred on 0.5 (blue below, white at 0.5, red above) and shows its value to 2 decimals, with the
 * row, column and value in its tooltip, and a legend of the scale under the grid. A value that is not finite is a grey cell "n/a".
 */
public final class HeatMap implements Chart {
    private static final int CELL_W = 64;
    private static final int CELL_H = 24;
    private static final int TITLE_H = 28;
    private static final int HEADER_H = 22;
    private static final int LEGEND_H = 44;
    /** The scale's ends (ColorBrewer RdBu): 0 is blue, 1 is red. */
    private static final int[] LOW = {33, 102, 172};
    private static final int[] HIGH = {178, 24, 43};

    private record Row(String label, double[] values) {
    }

    private final String title;
    private final String valueName;
    private final List<String> columns;
    private final List<Row> rows = new ArrayList<>();
    private int labelWidth = 180;

    /** {@code valueName} labels the legend (e.g. "AUROC"). */
    public HeatMap(String title, String valueName, List<String> columns) {
        this.title = title;
        this.valueName = valueName;
        this.columns = List.copyOf(columns);
    }

    /** A row of values, one per column. */
    public HeatMap row(String label, double[] values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row '" + label + "' has " + values.length + " values for " + columns.size() + " columns");
        }
        rows.add(new Row(label, values.clone()));
        return this;
    }

    /** The width of the row labels' column, in pixels (default 180). */
    public HeatMap labelWidth(int pixels) {
        this.labelWidth = pixels;
        return this;
    }

    /** A value's colour: white at 0.5, deepening to blue at 0 and to red at 1 (values outside [0, 1] clamped). */
    static String color(double v) {
        if (!Double.isFinite(v)) {
            return "#dddddd";
        }
        double c = Math.max(0, Math.min(1, v));
        int[] end = c >= 0.5 ? HIGH : LOW;
        double t = Math.abs(c - 0.5) * 2;
        StringBuilder hex = new StringBuilder("#");
        for (int channel : end) {
            hex.append(String.format(Locale.ROOT, "%02x", (int) Math.round(255 + t * (channel - 255))));
        }
        return hex.toString();
    }

    static String value(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
    }

    @Override
    public String svg() {
        int gridTop = TITLE_H + HEADER_H;
        int width = labelWidth + CELL_W * Math.max(1, columns.size()) + 10;
        int height = gridTop + CELL_H * rows.size() + LEGEND_H;
        Svg svg = new Svg(width, height, "chart heat-map", title);
        svg.text(width / 2.0, 18, title, "class", "title", "text-anchor", "middle", "font-size", "14");
        for (int c = 0; c < columns.size(); c++) {
            svg.text(labelWidth + CELL_W * (c + 0.5), gridTop - 7, columns.get(c), "class", "column-label", "text-anchor", "middle");
        }
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            double y = gridTop + CELL_H * r;
            svg.text(labelWidth - 6, y + CELL_H / 2.0 + 4, row.label, "class", "row-label", "text-anchor", "end");
            for (int c = 0; c < columns.size(); c++) {
                double v = row.values[c];
                double x = labelWidth + CELL_W * c;
                svg.open("g", "class", "cell", "data-row", row.label, "data-column", columns.get(c),
                        "data-value", Double.isFinite(v) ? Double.toString(v) : "");
                svg.tooltip(row.label + ", " + columns.get(c) + ": " + value(v));
                svg.empty("rect", "x", Svg.num(x), "y", Svg.num(y), "width", Integer.toString(CELL_W),
                        "height", Integer.toString(CELL_H), "fill", color(v), "stroke", "#ffffff");
                // dark cells get white text
                String ink = Double.isFinite(v) && Math.abs(v - 0.5) > 0.3 ? "#ffffff" : "#222222";
                svg.text(x + CELL_W / 2.0, y + CELL_H / 2.0 + 4, value(v), "class", "value", "text-anchor", "middle", "fill", ink);
                svg.close("g");
            }
        }
        legend(svg, gridTop + CELL_H * rows.size() + 14);
        return svg.end();
    }

    /** A strip of the scale from 0 to 1 in steps of 0.1, with ticks at 0, 0.5 and 1. */
    private void legend(Svg svg, double y) {
        double step = 18;
        svg.open("g", "class", "legend");
        for (int i = 0; i <= 10; i++) {
            svg.empty("rect", "class", "legend-step", "x", Svg.num(labelWidth + step * i), "y", Svg.num(y),
                    "width", Svg.num(step), "height", "10", "fill", color(i / 10.0));
        }
        for (int i = 0; i <= 10; i += 5) {
            svg.text(labelWidth + step * (i + 0.5), y + 24, value(i / 10.0), "class", "legend-tick", "text-anchor", "middle");
        }
        svg.text(labelWidth - 6, y + 9, valueName, "class", "legend-label", "text-anchor", "end");
        svg.close("g");
    }
}
