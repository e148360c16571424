package dev.personascope.report;

import dev.personascope.util.AtomicFiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Builds one self-contained HTML page: a title, sections, tables, inline SVG charts and token text
 * highlighted by activation. All text is escaped; the page has inline CSS and no external
 * resources, so it opens from disk anywhere.
 */
public final class HtmlReport {
    private static final String CSS = """
            body { font-family: sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; }
            figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
            .tokens { font-family: monospace; white-space: pre-wrap; line-height: 1.8; border: 1px solid #ddd; padding: 8px; }
            .tok { border-radius: 2px; }
            """;

    private final String title;
    private final StringBuilder body = new StringBuilder();

    public HtmlReport(String title) {
        this.title = title;
    }

    /** A heading (h2) followed by a paragraph; an empty paragraph is left out. */
    public HtmlReport section(String heading, String paragraph) {
        body.append("<h2>").append(Xml.escape(heading)).append("</h2>\n");
        return paragraph == null || paragraph.isEmpty() ? this : paragraph(paragraph);
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(Xml.escape(text)).append("</p>\n");
        return this;
    }

    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<thead><tr>");
        for (String h : header) {
            body.append("<th>").append(Xml.escape(h)).append("</th>");
        }
        body.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (String cell : row) {
                body.append("<td>").append(Xml.escape(cell)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
        return this;
    }

    public HtmlReport chart(Chart chart) {
        return chart(chart, null);
    }

    /** A chart with an optional caption under it. */
    public HtmlReport chart(Chart chart, String caption) {
        body.append("<figure class=\"figure\">\n").append(chart.svg());
        if (caption != null && !caption.isEmpty()) {
            body.append("<figcaption>").append(Xml.escape(caption)).append("</figcaption>\n");
        }
        body.append("</figure>\n");
        return this;
    }

    /**
     * Tokens as spans whose orange background is as strong as value / max (negative values count
     * as 0), with the value in the span's title (shown on hover).
     */
    public HtmlReport highlightedTokens(List<String> tokens, double[] values) {
        if (tokens.size() != values.length) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + values.length + " values");
        }
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                max = Math.max(max, v);
            }
        }
        body.append("<div class=\"tokens\">");
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            double alpha = max > 0 && Double.isFinite(v) ? Math.max(0, v) / max : 0;
            String value = String.format(Locale.ROOT, "%.4g", v);
            body.append("<span class=\"tok\" data-value=\"").append(value)
                    .append("\" title=\"").append(value)
                    .append(String.format(Locale.ROOT, "\" style=\"background-color: rgba(255, 140, 0, %.3f)\">", alpha))
                    .append(Xml.escape(tokens.get(i))).append("</span>");
        }
        body.append("</div>\n");
        return this;
    }

    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n<title>" + Xml.escape(title)
                + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<h1>" + Xml.escape(title) + "</h1>\n"
                + body + "</body>\n</html>\n";
    }

    /** Writes the page atomically, so a browser reloading it never sees half a page. */
    public void write(Path file) {
        AtomicFiles.writeString(file, html());
    }
}
