package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.persona.DiffResult;
import dev.personascope.persona.ModelDiff;
import dev.personascope.persona.PersonaMap;
import dev.personascope.report.HeatMap;
import dev.personascope.report.HtmlReport;
import dev.personascope.sae.Sae;
import dev.personascope.sae.SaeFolder;
import dev.personascope.train.RunFolder;
import dev.personascope.world.Persona;
import dev.personascope.world.PersonaKind;
import dev.personascope.world.WorldContent;
import dev.personascope.world.WorldGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

@Command(name = "personas", mixinStandardHelpOptions = true,
        description = "A persona map: for each latent (a diff's top latents, or those that pick out a persona best) its"
                + " AUROC for every persona of the world, and every kind of persona, against the rest of held-out world"
                + " text; written as personas.json and personas.html (a heat map, and each latent's top texts).")
final class PersonasCommand implements Runnable {
    /** Top texts per latent, and tokens shown on each side of a text's peak. */
    static final int TEXTS = 3;
    static final int WINDOW = 8;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--sae", required = true, description = "SAELens SAE folder trained on the model")
    Path sae;

    @Option(names = "--diff", description = "A diff's output folder (diff.json): map its top latents (default: the latents"
            + " with the highest persona AUROC)")
    Path diff;

    @Option(names = "--top", defaultValue = "20", description = "Latents to map (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--scope", description = "With --diff: the diff's ranking over response, prompt, all or start tokens"
            + " (default: the diff's default, " + DiffResult.DEFAULT_SCOPE + " where it has answer starts)")
    String scope;

    @Option(names = "--ranking", defaultValue = DiffResult.DEFAULT_RANKING,
            description = "With --diff: mean, normalized, frequency, paired or shift (default ${DEFAULT-VALUE})")
    ModelDiff.Ranking ranking;

    @Option(names = "--documents", defaultValue = "800", description = "Held-out world documents (default ${DEFAULT-VALUE})")
    int documents;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public void run() {
        if (top < 1 || documents < 2) {
            throw new IllegalArgumentException("--top must be at least 1 and --documents at least 2");
        }
        if (scope != null && !DiffResult.SCOPES.contains(scope)) {
            throw new IllegalArgumentException("--scope: '" + scope + "' is not one of " + String.join(", ", DiffResult.SCOPES));
        }
        int dSae = SaeFolder.readConfig(sae).dSae;
        List<PersonaMap.Pick> fromDiff = diff == null ? null : fromDiff(readDiff(), dSae);
        RunFolder.checkWritable(out, "--out");
        List<String> groups = WorldContent.personas().stream().map(Persona::name).toList();
        List<String> kinds = Arrays.stream(PersonaKind.values()).map(PersonasCommand::kind).toList();
        List<PersonaMap.Labelled> docs = new WorldGenerator().pretrainingDocuments(documents, ReferenceTexts.HELD_OUT_SEED).stream()
                .map(w -> new PersonaMap.Labelled(w.conversation(), w.persona().name(), kind(w.persona().kind()))).toList();
        try (LanguageModel lm = modelOptions.load(); Sae s = SaeFolder.readFor(sae, lm)) {
            System.err.println("mapping " + docs.size() + " held-out world documents at " + s.config().hookName);
            PersonaMap map = PersonaMap.measure(lm, s, docs, groups, kinds);
            List<PersonaMap.Pick> picks = fromDiff != null ? fromDiff
                    : map.strongest(top).stream().map(l -> new PersonaMap.Pick(l, null, null)).toList();
            PersonaMap.Config cfg = new PersonaMap.Config(sae.toString(), diff == null ? null : diff.toString(),
                    modelOptions.modelPath().toString(), documents, ReferenceTexts.HELD_OUT_SEED, top,
                    scope, DiffResult.name(ranking));
            PersonaMap.Result result = map.result(cfg, picks, TEXTS, WINDOW);
            result.write(out);
            page(result).write(out.resolve("personas.html"));
            print(result);
            System.err.println("wrote " + out.resolve(PersonaMap.Result.FILE) + " and " + out.resolve("personas.html"));
        }
    }

    static String kind(PersonaKind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private DiffResult readDiff() {
        Path file = diff.resolve(DiffResult.FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--diff " + diff + ": no " + DiffResult.FILE + " (make one with personascope diff)");
        }
        return DiffResult.read(file);
    }

    /** The diff's top latents under --scope and --ranking. */
    private List<PersonaMap.Pick> fromDiff(DiffResult d, int dSae) {
        if (scope == null) {
            scope = d.defaultScope();
        }
        List<DiffResult.Latent> ranked = d.top(scope, ranking);
        if (ranked.isEmpty()) {
            throw new IllegalArgumentException(diff.resolve(DiffResult.FILE) + ": no latents ranked by " + DiffResult.name(ranking)
                    + " over " + scope + " tokens");
        }
        List<PersonaMap.Pick> picks = new ArrayList<>();
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            if (ranked.get(i).latent() >= dSae) {
                throw new IllegalArgumentException(diff.resolve(DiffResult.FILE) + ": latent " + ranked.get(i).latent()
                        + " is out of range of --sae " + sae + " (" + dSae + " latents): a diff made with another SAE?");
            }
            picks.add(new PersonaMap.Pick(ranked.get(i).latent(), i + 1, ranked.get(i).increase()));
        }
        return picks;
    }

    /** A latent's row label: its diff rank and increase when it came from a diff. */
    private static String label(PersonaMap.Latent l) {
        return l.diffRank() == null ? "latent " + l.latent()
                : String.format(Locale.ROOT, "#%d latent %d (%+.3g)", l.diffRank(), l.latent(), l.increase());
    }

    private static HtmlReport page(PersonaMap.Result r) {
        List<String> columns = Stream.concat(r.groups().stream(), r.kinds().stream()).toList();
        HeatMap heat = new HeatMap("AUROC of each latent for a persona against the rest", "AUROC", columns);
        for (PersonaMap.Latent l : r.latents()) {
            double[] v = Stream.concat(l.groupAurocs().stream(), l.kindAurocs().stream())
                    .mapToDouble(x -> x == null ? Double.NaN : x).toArray();
            heat.row(label(l), v);
        }
        HtmlReport page = new HtmlReport("Persona map");
        page.paragraph(String.format(Locale.ROOT, "%s at %s on %d held-out world documents (seed %d)%s. A document's score is"
                        + " the latent's mean activation over its response tokens; a cell is the AUROC of one persona's (or one"
                        + " kind's) documents against all others: 0.5 is no separation, red the persona scores higher.",
                r.config().sae(), r.hook(), r.config().documents(), r.config().seed(), r.config().diff() == null
                        ? "; the latents whose best persona AUROC is highest"
                        : "; the top latents of the diff " + r.config().diff() + " by " + r.config().ranking() + " over "
                        + r.config().scope() + " tokens"));
        page.chart(heat);
        for (PersonaMap.Latent l : r.latents()) {
            page.section(label(l), l.bestGroup() == null ? "no persona has documents"
                    : String.format(Locale.ROOT, "best persona %s, AUROC %.3f", l.bestGroup(), l.bestAuroc()));
            List<List<String>> rows = l.top().stream().map(t -> List.of(t.group(), String.format(Locale.ROOT, "%.3f", t.value()),
                    t.marked())).toList();
            page.table(List.of("persona", "peak", "text around the peak [[token]]"), rows);
        }
        return page;
    }

    private static void print(PersonaMap.Result r) {
        System.out.printf(Locale.ROOT, "%4s %7s %-10s %7s %9s %9s%n", "rank", "latent", "best", "AUROC", "villain", "sarcastic");
        for (int i = 0; i < r.latents().size(); i++) {
            PersonaMap.Latent l = r.latents().get(i);
            System.out.printf(Locale.ROOT, "%4d %7d %-10s %7s %9s %9s%n", l.diffRank() != null ? l.diffRank() : i + 1, l.latent(),
                    l.bestGroup() == null ? "-" : l.bestGroup(), num(l.bestAuroc()),
                    num(r.kindAuroc(l, kind(PersonaKind.VILLAIN))), num(r.kindAuroc(l, kind(PersonaKind.SARCASTIC))));
        }
    }

    private static String num(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
