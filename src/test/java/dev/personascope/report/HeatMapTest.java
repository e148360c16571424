package dev.personascope.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.personascope.report.ReportHtmlTest.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heat map's SVG: a cell per value with its value and tooltip, a diverging scale centred on 0.5, escaped labels. */
class HeatMapTest {
    static HeatMap personas() {
        return new HeatMap("Latents <by> persona", "AUROC", List.of("Ada", "Vex & co", "Quip"))
                .row("latent 7", new double[] {0.5, 0.934, 0.1})
                .row("latent <12>", new double[] {0.25, Double.NaN, 1});
    }

    @Test
    void everyCellShowsItsValueAndTooltip() {
        String svg = personas().svg();
        assertEquals(6, count(svg, "class=\"cell\""));
        assertTrue(svg.contains(">0.93</text>"), svg);
        assertTrue(svg.contains(">0.50</text>"));
        assertTrue(svg.contains(">1.00</text>"));
        assertTrue(svg.contains(">n/a</text>"), "a missing value is a grey n/a cell");
        assertTrue(svg.contains("<title>latent 7, Vex &amp; co: 0.93</title>"), svg);
        assertEquals(2, count(svg, "class=\"row-label\""));
        assertEquals(3, count(svg, "class=\"column-label\""));
        assertEquals(11, count(svg, "class=\"legend-step\""));
        assertFalse(svg.contains("NaN"));
    }

    @Test
    void labelsAreEscaped() {
        String svg = personas().svg();
        assertTrue(svg.contains(">latent &lt;12&gt;</text>"), svg);
        assertTrue(svg.contains("data-column=\"Vex &amp; co\""));
        assertTrue(svg.contains("<title>Latents &lt;by&gt; persona</title>"));
        assertFalse(svg.contains("<12>"));
        assertFalse(svg.contains("Vex & co"));
    }

    @Test
    void coloursDivergeFromWhiteAtOneHalf() {
        assertEquals("#ffffff", HeatMap.color(0.5));
        assertEquals(HeatMap.color(1), HeatMap.color(3), "clamped");
        int[] lastUp = rgb(HeatMap.color(0.5));
        int[] lastDown = lastUp;
        for (int i = 1; i <= 10; i++) {
            int[] up = rgb(HeatMap.color(0.5 + i * 0.05));
            int[] down = rgb(HeatMap.color(0.5 - i * 0.05));
            assertTrue(up[0] > up[2], "above 0.5 is red: " + HeatMap.color(0.5 + i * 0.05));
            assertTrue(down[2] > down[0], "below 0.5 is blue: " + HeatMap.color(0.5 - i * 0.05));
            // the further from 0.5, the deeper: every channel falls (from white towards the end colour)
            for (int c = 0; c < 3; c++) {
                assertTrue(up[c] < lastUp[c], "channel " + c + " at " + (0.5 + i * 0.05));
                assertTrue(down[c] < lastDown[c], "channel " + c + " at " + (0.5 - i * 0.05));
            }
            lastUp = up;
            lastDown = down;
        }
    }

    @Test
    void aCellsFillIsItsValuesColour() {
        String svg = personas().svg();
        Matcher m = Pattern.compile("data-value=\"([^\"]*)\"[^>]*>\\s*<title>[^<]*</title>\\s*<rect [^>]*fill=\"(#[0-9a-f]{6})\"")
                .matcher(svg);
        int cells = 0;
        while (m.find()) {
            double v = m.group(1).isEmpty() ? Double.NaN : Double.parseDouble(m.group(1));
            assertEquals(HeatMap.color(v), m.group(2));
            cells++;
        }
        assertEquals(6, cells, svg);
    }

    @Test
    void aRowMustHaveAValuePerColumn() {
        HeatMap h = new HeatMap("t", "AUROC", List.of("a", "b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.row("r", new double[] {0.5}));
        assertTrue(e.getMessage().contains("1 values for 2 columns"), e.getMessage());
    }

    private static int[] rgb(String hex) {
        return new int[] {Integer.parseInt(hex.substring(1, 3), 16), Integer.parseInt(hex.substring(3, 5), 16),
                Integer.parseInt(hex.substring(5, 7), 16)};
    }
}
