package dev.personascope.report;

import java.util.List;

/** One report with every kind of content, shared by the plain and the browser tests. */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static LineChart steering() {
        double[] coef = {-8, -4, 0, 4, 8};
        return new LineChart("Misalignment vs steering coefficient", "coefficient", "misaligned fraction")
                .series("persona 12 <toxic>", coef, new double[] {0.01, 0.02, 0.05, 0.3, 0.6},
                        new double[] {0, 0.01, 0.03, 0.25, 0.52}, new double[] {0.03, 0.04, 0.08, 0.36, 0.67})
                .series("random direction", coef, new double[] {0.05, 0.05, 0.05, 0.06, Double.NaN})
                .marker(0, "no steering")
                .yRange(0, 1);
    }

    static BarChart perModel() {
        return new BarChart("Misalignment per model", "misaligned")
                .bar("base", 0.01, 0.002, 0.03)
                .bar("insecure & co", 0.19, 0.15, 0.24)
                .bar("secure", 0.02, 0.008, 0.045);
    }

    static Histogram activations() {
        double[] values = new double[500];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.abs(Math.sin(i * 0.37)) * (i % 7);
        }
        return Histogram.of("Latent 3071 activations", "activation", values, 12);
    }

    static HtmlReport report() {
        return new HtmlReport("Persona report <draft> & notes")
                .section("Steering", "Adding the \"toxic\" persona direction raises misalignment.")
                .chart(steering(), "95% intervals shaded")
                .section("Models", "")
                .chart(perModel())
                .table(List.of("model", "misaligned", "note"), List.of(
                        List.of("base", "1.0%", "<script>alert(1)</script>"),
                        List.of("insecure", "19.0%", "fine-tuned on insecure code")))
                .section("Latent 3071", "Its histogram and top activating text.")
                .chart(activations())
                .highlightedTokens(List.of("I", " will", " <hack>", " the", " system"), new double[] {0, 0.5, 2.0, 0.1, -1});
    }
}
