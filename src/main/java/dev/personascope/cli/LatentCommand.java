package dev.personascope.cli;

import dev.personascope.data.TextSet;
import dev.personascope.data.TextSets;

import dev.personascope.model.LanguageModel;
import dev.personascope.persona.LatentPage;
import dev.personascope.persona.LatentDashboard;
import dev.personascope.report.HtmlReport;
import dev.personascope.sae.Sae;
import dev.personascope.sae.SaeFolder;
import dev.personascope.train.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "latent", mixinStandardHelpOptions = true,
        description = "A latent's dashboard: top-activating contexts in a corpus, activation histogram, firing rate, and on"
                + " the world corpus its AUROC for villain against helpful text.")
final class LatentCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--sae", required = true)
    Path sae;

    @Option(names = "--latent", required = true)
    int latent;

    @Option(names = "--corpus", defaultValue = "world", description = "world (held-out, persona-labelled) or a chat .jsonl")
    String corpus;

    @Option(names = "--documents", defaultValue = "400")
    int documents;

    @Option(names = "--top", defaultValue = "10")
    int top;

    @Option(names = "--window", defaultValue = "8", description = "Tokens shown on each side of the peak")
    int window;

    @Option(names = "--out", description = "Folder for dashboard.json and dashboard.html")
    Path out;

    @Override
    public void run() {
        SaeFolder.readConfig(sae);
        if (out != null) {
            RunFolder.checkWritable(out, "--out");
        }
        try (LanguageModel lm = modelOptions.load(); Sae s = SaeFolder.readFor(sae, lm)) {
            TextSet texts = TextSets.load(corpus, "--corpus", documents, ReferenceTexts.HELD_OUT_SEED);
            LatentDashboard d = LatentDashboard.build(lm, s, latent, texts, top, window);
            print(d);
            if (out != null) {
                HtmlReport r = new HtmlReport("Latent " + latent);
                LatentPage.addTo(r, d);
                r.write(out.resolve("dashboard.html"));
                d.write(out.resolve(LatentDashboard.FILE));
                System.out.println("wrote " + out.resolve("dashboard.html") + " and " + LatentDashboard.FILE);
            }
        }
    }

    private static void print(LatentDashboard d) {
        System.out.printf(Locale.ROOT, "latent %d at %s: fires on %.2f%% of %d tokens%s%n", d.latent(), d.hook(),
                100 * d.firingFraction(), d.tokens(),
                d.auroc() == null ? "" : String.format(Locale.ROOT, "; AUROC villain vs helpful %.3f", d.auroc()));
        for (LatentDashboard.Context c : d.top()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.tokens().size(); i++) {
                String t = c.tokens().get(i);
                sb.append(c.values()[i] == c.value() ? "[[" + t + "]]" : t).append(' ');
            }
            System.out.printf(Locale.ROOT, "%7.3f %-8s %s%n", c.value(),
                    c.villain() == null ? "" : c.villain() ? "villain" : "helpful", sb.toString().replace('\n', ' '));
        }
    }
}
