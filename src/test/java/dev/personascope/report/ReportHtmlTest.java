package dev.personascope.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's HTML and SVG as text: escaping, self-containment, element counts, ticks. */
class ReportHtmlTest {
    @TempDir
    Path dir;

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void escapesEveryText() {
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", Xml.escape("a <b> & \"c\" 'd'"));
        assertEquals("x\uFFFDy", Xml.escape("x\u0001y"));
        String html = ReportFixtures.report().html();
        assertFalse(html.contains("<script>"), "table cell must be escaped");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("<title>Persona report &lt;draft&gt; &amp; notes</title>"));
        assertTrue(html.contains("data-name=\"persona 12 &lt;toxic&gt;\""));
        assertTrue(html.contains("data-label=\"insecure &amp; co\""));
        assertTrue(html.contains(">insecure &amp; co</text>"));
        assertTrue(html.contains(">&quot;toxic&quot;") || html.contains("&quot;toxic&quot;"));
        assertTrue(html.contains(" &lt;hack&gt;</span>"));
    }

    @Test
    void pageIsSelfContained() {
        String html = ReportFixtures.report().html();
        Matcher refs = Pattern.compile("(?i)\\b(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)").matcher(html);
        assertFalse(refs.find(), () -> "external reference: " + refs.group());
        assertFalse(html.toLowerCase().contains("<script"));
        assertFalse(html.contains("@import"));
        assertFalse(html.contains("url("));
    }

    @Test
    void chartsCarryClassesForEachElement() {
        String bars = ReportFixtures.perModel().svg();
        assertEquals(3, count(bars, "class=\"bar\""));
        assertEquals(3, count(bars, "class=\"whisker\""));
        assertTrue(bars.contains(">19%</text>"), bars);
        assertTrue(bars.contains(">1%</text>"));
        assertTrue(bars.contains(">20%</text>"), "y ticks as percentages");

        String line = ReportFixtures.steering().svg();
        assertEquals(2, count(line, "class=\"series\""));
        assertEquals(1, count(line, "class=\"band\""));
        assertEquals(1, count(line, "class=\"marker\""));
        assertEquals(2, count(line, "class=\"legend-item\""));
        assertTrue(line.contains("data-points=\"5\""));
        assertTrue(line.contains("data-points=\"4\""), "the NaN point is left out");
        assertFalse(line.contains("NaN"));

        String hist = ReportFixtures.activations().svg();
        assertEquals(12, count(hist, "class=\"bin\""));
        Matcher c = Pattern.compile("data-count=\"(\\d+)\"").matcher(hist);
        long total = 0;
        while (c.find()) {
            total += Long.parseLong(c.group(1));
        }
        assertEquals(500, total);
    }

    @Test
    void histogramBinsValues() {
        Histogram h = Histogram.of("h", "x", new double[] {0, 0.1, 0.5, 0.9, 1.0, Double.NaN}, 2);
        String svg = h.svg();
        assertTrue(svg.contains("data-count=\"2\" data-lo=\"0.0\" data-hi=\"0.5\""), svg);
        assertTrue(svg.contains("data-count=\"3\" data-lo=\"0.5\" data-hi=\"1.0\""), svg);
        assertThrows(IllegalArgumentException.class, () -> new Histogram("h", "x", 1, 1, new long[] {1}));
    }

    @Test
    void axisTicksAreRound() {
        Axis a = Axis.nice(0.03, 0.87, 5);
        assertEquals(0.0, a.lo(), 1e-12);
        assertEquals(1.0, a.hi(), 1e-12);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, a.ticks(), 1e-9);
        assertEquals("0.4", a.label(0.4));
        Axis steps = Axis.within(0, 230, 8);
        assertEquals(50, steps.step(), 1e-12);
        assertEquals("150", steps.label(150));
        Axis flat = Axis.nice(3, 3, 5);
        assertTrue(flat.lo() < 3 && flat.hi() > 3);
        assertEquals("12.3%", BarChart.percent(0.123));
        assertEquals("20%", BarChart.percent(0.2));
    }

    @Test
    void writesThePageAtomically() throws Exception {
        Path file = dir.resolve("out/report.html");
        HtmlReport report = ReportFixtures.report();
        report.write(file);
        assertEquals(report.html(), Files.readString(file));
        assertThrows(IllegalArgumentException.class,
                () -> new HtmlReport("t").highlightedTokens(java.util.List.of("a"), new double[] {1, 2}));
    }
}
