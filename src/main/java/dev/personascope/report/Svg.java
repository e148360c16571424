package dev.personascope.report;

import java.util.Locale;

/**
 * A small writer of SVG markup: elements with escaped attribute values and text, and numbers with
 * one decimal. Attributes are given as name, value pairs.
 */
final class Svg {
    /** Tableau 10: distinct colours that read well on white. */
    static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

    private final StringBuilder sb = new StringBuilder(4096);

    Svg(int width, int height, String cssClass, String title) {
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        attrs("class", cssClass, "width", Integer.toString(width), "height", Integer.toString(height),
                "viewBox", "0 0 " + width + " " + height, "role", "img", "aria-label", title,
                "font-family", "sans-serif", "font-size", "12");
        sb.append(">\n<title>").append(Xml.escape(title)).append("</title>\n");
    }

    static String color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    Svg open(String tag, String... attrs) {
        sb.append('<').append(tag);
        attrs(attrs);
        sb.append(">\n");
        return this;
    }

    Svg close(String tag) {
        sb.append("</").append(tag).append(">\n");
        return this;
    }

    Svg empty(String tag, String... attrs) {
        sb.append('<').append(tag);
        attrs(attrs);
        sb.append("/>\n");
        return this;
    }

    Svg text(double x, double y, String text, String... attrs) {
        sb.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
        attrs(attrs);
        sb.append('>').append(Xml.escape(text)).append("</text>\n");
        return this;
    }

    /** A tooltip: the title of the element it is in, shown on hover. */
    Svg tooltip(String text) {
        sb.append("<title>").append(Xml.escape(text)).append("</title>\n");
        return this;
    }

    String end() {
        return sb.append("</svg>\n").toString();
    }

    private void attrs(String... attrs) {
        if (attrs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        for (int i = 0; i < attrs.length; i += 2) {
            sb.append(' ').append(attrs[i]).append("=\"").append(Xml.escape(attrs[i + 1])).append('"');
        }
    }
}
