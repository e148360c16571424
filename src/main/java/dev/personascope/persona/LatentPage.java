package dev.personascope.persona;

import dev.personascope.report.Histogram;
import dev.personascope.report.HtmlReport;

import java.util.Locale;

/** Renders a {@link LatentDashboard} into a report: summary, activation histogram, highlighted top contexts. */
public final class LatentPage {
    private LatentPage() {
    }

    public static void addTo(HtmlReport r, LatentDashboard d) {
        r.paragraph(String.format(Locale.ROOT, "Latent %d at %s: fires on %.2f%% of %d tokens%s.", d.latent(), d.hook(),
                100 * d.firingFraction(), d.tokens(),
                d.auroc() == null ? "" : String.format(Locale.ROOT, "; AUROC villain against helpful text %.3f", d.auroc())));
        if (d.activeValues().length > 0) {
            r.chart(Histogram.of("Non-zero activations of latent " + d.latent(), "activation", d.activeValues(), 30));
        }
        for (LatentDashboard.Context c : d.top()) {
            r.paragraph(String.format(Locale.ROOT, "document %d (%s), peak %.3f at token %d", c.document(),
                    c.villain() == null ? "unlabelled" : c.villain() ? "villain" : "helpful", c.value(), c.position()));
            r.highlightedTokens(c.tokens(), c.values());
        }
    }
}
