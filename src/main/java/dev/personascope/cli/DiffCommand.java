package dev.personascope.cli;

import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Conversations;
import dev.personascope.persona.DiffResult;
import dev.personascope.persona.LatentAurocs;
import dev.personascope.persona.ModelDiff;
import dev.personascope.sae.Sae;
import dev.personascope.sae.SaeFolder;
import dev.personascope.train.RunFolder;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.EnumNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "SAE model diffing: encode a base and a fine-tuned model's activations on the same texts with the"
                + " base model's SAE and rank latents by how much more the fine-tuned model uses them.")
final class DiffCommand implements Runnable {
    @Option(names = "--base", description = "Base model folder (default: the bundled model)")
    Path base;

    @Option(names = "--tuned", description = "Fine-tuned model folder")
    Path tuned;

    @Option(names = "--adapter", description = "Or: a PEFT adapter that makes the fine-tuned model from the base")
    Path adapter;

    @Option(names = "--sae", required = true, description = "SAELens SAE folder trained on the base model")
    Path sae;

    @Option(names = "--prompts", required = true,
            description = "Question set (.yaml, answers are sampled) or chat JSONL (conversations used as they are)")
    Path prompts;

    @Option(names = "--answers", defaultValue = "tuned",
            description = "For a question set: whose answers to read, tuned, base, none (prompts only) or start (an empty"
                    + " answer: the response scope is then the position where the answer begins); default ${DEFAULT-VALUE}")
    Answers answers;

    /** Whose answers the diff reads for a question set; written lower-case in diff.json. */
    enum Answers {
        TUNED, BASE, NONE, START;

        @Override
        public String toString() {
            return EnumNames.of(this);
        }
    }

    @Option(names = "--samples", defaultValue = "4", description = "Answers per paraphrase (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--temperature", defaultValue = "1.0")
    double temperature;

    @Option(names = "--max-tokens", defaultValue = "64")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--scope",
            description = "Tokens for the printed table: response, prompt, all, or start (where each answer begins, read"
                    + " from the prompts alone; diffed beside sampled answers); default " + DiffResult.DEFAULT_SCOPE
                    + " (" + DiffResult.FALLBACK_SCOPE + " without a question set)")
    String printed;

    @Option(names = "--ranking", defaultValue = DiffResult.DEFAULT_RANKING,
            description = "mean (raw increase), normalized (by the base spread), frequency (firing change) or paired (the"
                    + " per-token difference over its spread, Cohen's d_z) or shift (cosine of the decoder direction with the"
                    + " mean activation shift); default ${DEFAULT-VALUE}")
    ModelDiff.Ranking printedRanking;

    @Option(names = "--top", defaultValue = "20")
    int top;

    @Option(names = "--auroc-corpus", description = "'world': add each latent's villain-against-helpful AUROC on held-out world text")
    String aurocCorpus;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public void run() {
        if ((tuned == null) == (adapter == null)) {
            throw new IllegalArgumentException("give exactly one of --tuned DIR and --adapter DIR");
        }
        if (aurocCorpus != null && !aurocCorpus.equals("world")) {
            throw new IllegalArgumentException("--auroc-corpus: only 'world' has persona labels, got '" + aurocCorpus + "'");
        }
        if (printed != null && !DiffResult.SCOPES.contains(printed)) {
            throw new IllegalArgumentException("--scope: '" + printed + "' is not one of " + String.join(", ", DiffResult.SCOPES));
        }
        Path basePath = base != null ? base : Defaults.model();
        SaeFolder.readConfig(sae);
        RunFolder.checkWritable(out, "--out");
        try (LanguageModel b = LanguageModel.load(basePath);
             LanguageModel t = LanguageModel.load(tuned != null ? tuned : basePath);
             Sae s = SaeFolder.readFor(sae, b)) {
            if (adapter != null) {
                PeftAdapter.load(t.model(), adapter);
            }
            List<Question> questions = Conversations.isQuestionSet(prompts) ? QuestionSets.read(prompts) : null;
            List<ChatExample> texts = texts(b, t, questions);
            System.err.println("diffing on " + texts.size() + " conversations at " + s.config().hookName);
            ChatEncoder encoder = new ChatEncoder(b, b.config().maxPositions);
            Map<String, List<ModelDiff.Row>> rows = new LinkedHashMap<>();
            ModelDiff.run(b, t, s, encoder.encodeAll(texts), List.of(TokenScope.values()))
                    .forEach((scope, r) -> rows.put(DiffResult.name(scope), r));
            if (questions != null && (answers == Answers.TUNED || answers == Answers.BASE)) {
                // the state each answer starts from, beside the sampled answers: no sampling, the same for both models
                rows.put(DiffResult.START, ModelDiff.run(b, t, s, encoder.encodeAll(Conversations.answerStarts(questions)),
                        List.of(TokenScope.RESPONSE)).get(TokenScope.RESPONSE));
            }
            String scope = printed != null ? printed
                    : rows.containsKey(DiffResult.DEFAULT_SCOPE) ? DiffResult.DEFAULT_SCOPE : DiffResult.FALLBACK_SCOPE;
            if (!rows.containsKey(scope)) {
                throw new IllegalArgumentException("--scope start needs a question set (--prompts FILE.yaml) and"
                        + " --answers tuned or base");
            }
            double[] aurocs = aurocCorpus == null ? null
                    : LatentAurocs.compute(b, s, ReferenceTexts.heldOut(aurocCorpus, 400));
            write(rows, aurocs, basePath);
            print(ModelDiff.rank(rows.get(scope), printedRanking, true), aurocs, scope, printedRanking);
            printSideBySide(rows, aurocs);
        }
    }

    /** The conversations to diff on: the chat JSONL as it is, or the question set ({@code qs}) answered as asked. */
    private List<ChatExample> texts(LanguageModel b, LanguageModel t, List<Question> qs) {
        if (qs == null) {
            return ChatJsonl.read(prompts);
        }
        return switch (answers) {
            case TUNED -> Conversations.sampled(t, Hooks.NONE, qs, samples, temperature, maxTokens, seed);
            case BASE -> Conversations.sampled(b, Hooks.NONE, qs, samples, temperature, maxTokens, seed);
            case NONE -> Conversations.promptsOnly(qs);
            case START -> Conversations.answerStarts(qs);
        };
    }

    private void write(Map<String, List<ModelDiff.Row>> rows, double[] aurocs, Path basePath) {
        DiffResult.Config cfg = new DiffResult.Config(basePath.toString(), tuned == null ? null : tuned.toString(),
                adapter == null ? null : adapter.toString(), sae.toString(), prompts.toString(), answers.toString(), samples, temperature,
                seed);
        Map<String, Map<String, List<DiffResult.Latent>>> top = new LinkedHashMap<>();
        StringBuilder tsv = new StringBuilder("scope\tlatent\tbase_mean\ttuned_mean\tincrease\tnormalized\tbase_freq\ttuned_freq"
                + "\tpaired\tshift" + (aurocs != null ? "\tauroc" : "") + "\n");
        for (Map.Entry<String, List<ModelDiff.Row>> e : rows.entrySet()) {
            String sc = e.getKey();
            Map<String, List<DiffResult.Latent>> byRanking = new LinkedHashMap<>();
            for (ModelDiff.Ranking r : ModelDiff.Ranking.values()) {
                byRanking.put(DiffResult.name(r), ModelDiff.rank(e.getValue(), r, true)
                        .subList(0, Math.min(this.top, e.getValue().size())).stream()
                        .map(row -> DiffResult.Latent.of(row, aurocs)).toList());
            }
            top.put(sc, byRanking);
            for (ModelDiff.Row row : e.getValue()) {
                tsv.append(String.format(Locale.ROOT, "%s\t%d\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.4f", sc,
                        row.latent(), row.baseMean(), row.tunedMean(), row.increase(), row.normalized(), row.baseFrequency(),
                        row.tunedFrequency(), row.paired(), row.shiftCosine()));
                tsv.append(aurocs != null ? String.format(Locale.ROOT, "\t%.4f", aurocs[row.latent()]) : "").append('\n');
            }
        }
        new DiffResult(cfg, top).write(out);
        AtomicFiles.writeString(out.resolve("latents.tsv"), tsv.toString());
        System.err.println("wrote " + out.resolve(DiffResult.FILE) + " and " + out.resolve("latents.tsv"));
    }

    private void print(List<ModelDiff.Row> ranked, double[] aurocs, String sc, ModelDiff.Ranking r) {
        System.out.printf(Locale.ROOT, "top latents by %s increase over %s tokens%n", r.name().toLowerCase(Locale.ROOT), sc);
        System.out.printf(Locale.ROOT, "%4s %7s %10s %10s %10s %10s %9s %8s %7s%s%n", "rank", "latent", "base", "tuned",
                "increase", "normalized", "freq chg", "paired", "shift", aurocs != null ? "   AUROC" : "");
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            ModelDiff.Row row = ranked.get(i);
            System.out.printf(Locale.ROOT, "%4d %7d %10.4f %10.4f %10.4f %10.3f %+9.4f %8.3f %+7.3f%s%n", i + 1, row.latent(),
                    row.baseMean(), row.tunedMean(), row.increase(), row.normalized(), row.frequencyChange(), row.paired(),
                    row.shiftCosine(),
                    aurocs != null ? String.format(Locale.ROOT, "%8.3f", aurocs[row.latent()]) : "");
        }
    }

    /** Every scope and ranking side by side: its first five latents (with their AUROC when measured). */
    private static void printSideBySide(Map<String, List<ModelDiff.Row>> rows, double[] aurocs) {
        System.out.println();
        System.out.println("the first five latents of every scope and ranking" + (aurocs != null ? " (AUROC)" : ""));
        for (Map.Entry<String, List<ModelDiff.Row>> e : rows.entrySet()) {
            for (ModelDiff.Ranking r : ModelDiff.Ranking.values()) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s %-11s", e.getKey(), DiffResult.name(r)));
                for (ModelDiff.Row row : ModelDiff.rank(e.getValue(), r, true).subList(0, Math.min(5, e.getValue().size()))) {
                    line.append(String.format(Locale.ROOT, " %6d", row.latent()))
                            .append(aurocs != null ? String.format(Locale.ROOT, " (%.2f)", aurocs[row.latent()]) : "");
                }
                System.out.println(line);
            }
        }
    }
}
