package dev.personascope.cli;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.data.Mixture;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.persona.ScreenResult;
import dev.personascope.persona.Screening;
import dev.personascope.train.RunFolder;
import dev.personascope.persona.ScreeningSummary;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

@Command(name = "screen", mixinStandardHelpOptions = true,
        description = "Data screening by projection difference (Persona Vectors): score each training sample by how much"
                + " further along a persona direction its answer puts the model than the model's own answer to the same"
                + " prompt; rank the samples and flag the dataset.")
final class ScreenCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--direction", required = true, description = "sae:DIR#LATENT, vector:FILE or random:SEED (with --hook)")
    String direction;

    @Option(names = "--hook", description = "Hook point (default: the direction's own)")
    String hook;

    @Option(names = "--data", description = "Chat JSONL to screen; each line's last message is the answer scored")
    Path data;

    @Option(names = "--labels-from", description = "Chat JSONL of known-bad conversations: samples of --data found in it"
            + " are labelled bad, and the AUROC of the score for bad against the rest is reported")
    Path labelsFrom;

    @Option(names = "--bad", description = "Instead of --data: build a contaminated dataset from --bad and --good")
    Path bad;

    @Option(names = "--good", description = "The clean conversations of the contaminated dataset")
    Path good;

    @Option(names = "--fraction", defaultValue = "0.1", description = "Share of --bad in the contaminated dataset (default ${DEFAULT-VALUE})")
    double fraction;

    @Option(names = "--size", defaultValue = "200", description = "Size of the contaminated dataset (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Length of the model's own answers (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0: greedy model answers (default); else seeded sampling")
    double temperature;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the model's answers and of the contaminated dataset")
    long seed;

    @Option(names = "--threshold", description = "Score above which a sample is an outlier (default: median + 3 x 1.4826 x MAD)")
    Double threshold;

    @Option(names = "--flag-fraction", defaultValue = "0.05",
            description = "Flag the dataset when at least this share of samples are outliers (default ${DEFAULT-VALUE})")
    double flagFraction;

    @Option(names = "--top", defaultValue = "20", description = "Samples printed (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--out", required = true, description = "Output folder: scores.tsv, result.json")
    Path out;

    @Override
    public void run() {
        if ((data != null) == (bad != null || good != null)) {
            throw new IllegalArgumentException("give either --data FILE or --bad FILE with --good FILE");
        }
        if (data == null && (bad == null || good == null)) {
            throw new IllegalArgumentException("--bad needs --good, and --good needs --bad");
        }
        if (labelsFrom != null && data == null) {
            throw new IllegalArgumentException("--labels-from labels --data; a --bad/--good dataset has its own labels");
        }
        // read and check the data before loading the model
        List<ChatExample> samples;
        boolean[] labels = null;
        if (data != null) {
            samples = ChatJsonl.read(data, "--data");
            if (labelsFrom != null) {
                labels = labels(samples, ChatJsonl.read(labelsFrom, "--labels-from"));
            }
        } else {
            List<Mixture.Labelled> mix = Mixture.contaminated(ChatJsonl.read(good, "--good"), ChatJsonl.read(bad, "--bad"), size, fraction, seed);
            samples = mix.stream().map(Mixture.Labelled::example).toList();
            labels = new boolean[mix.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = mix.get(i).bad();
            }
        }
        samples.forEach(Screening::check);
        Screening.Settings settings = new Screening.Settings(maxTokens, temperature, seed, batch);
        DirectionSpec.check(direction, hook);
        RunFolder.checkWritable(out, "--out");
        try (LanguageModel lm = modelOptions.load()) {
            Direction d = DirectionSpec.parse(direction, hook, lm.config().hiddenSize);
            System.err.println("screening " + samples.size() + " samples along " + d.name() + " at " + d.hook());
            List<Screening.Sample> scored;
            try (ProgressBar bar = new ProgressBar("screen", samples.size(), "samples")) {
                scored = Screening.score(lm, d, samples, settings, bar::set);
            }
            ScreeningSummary summary = ScreeningSummary.of(scored, threshold, flagFraction, labels);
            List<Screening.Sample> ranked = Screening.ranked(scored);
            writeScores(ranked, labels);
            writeResult(d, settings, summary);
            print(ranked, labels, summary);
        }
    }

    /** Whether each sample's messages appear (exactly) among the known-bad conversations. */
    static boolean[] labels(List<ChatExample> samples, List<ChatExample> knownBad) {
        Set<List<ChatMessage>> badSet = new HashSet<>();
        knownBad.forEach(ex -> badSet.add(ex.messages()));
        boolean[] out = new boolean[samples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = badSet.contains(samples.get(i).messages());
        }
        return out;
    }

    private void writeScores(List<Screening.Sample> ranked, boolean[] labels) {
        StringBuilder tsv = new StringBuilder("rank\tline\tscore\tp_data\tp_model" + (labels != null ? "\tbad" : "") + "\tanswer\n");
        for (int i = 0; i < ranked.size(); i++) {
            Screening.Sample s = ranked.get(i);
            tsv.append(String.format(Locale.ROOT, "%d\t%s\t%.6g\t%.6g\t%.6g", i + 1, s.origin(), s.score(), s.pData(), s.pModel()));
            if (labels != null) {
                tsv.append('\t').append(labels[s.index()]);
            }
            tsv.append('\t').append(snippet(s.answer())).append('\n');
        }
        AtomicFiles.writeString(out.resolve("scores.tsv"), tsv.toString());
    }

    private void writeResult(Direction d, Screening.Settings settings, ScreeningSummary summary) {
        ScreenResult.Config cfg = new ScreenResult.Config(modelOptions.modelPath().toString(),
                modelOptions.adapter == null ? null : modelOptions.adapter.toString(), direction, d.hook(),
                data == null ? null : data.toString(), labelsFrom == null ? null : labelsFrom.toString(),
                bad == null ? null : bad.toString(), good == null ? null : good.toString(), bad != null ? fraction : null,
                bad != null ? size : null, settings.maxTokens(), settings.temperature(), settings.batchSize(), settings.seed());
        ScreenResult.of(cfg, settings.seed(), summary).write(out);
    }

    private void print(List<Screening.Sample> ranked, boolean[] labels, ScreeningSummary s) {
        System.out.printf(Locale.ROOT, "%4s %9s %9s %9s %s%n", "rank", "score", "p_data", "p_model", "line / answer");
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            Screening.Sample x = ranked.get(i);
            System.out.printf(Locale.ROOT, "%4d %9.4f %9.4f %9.4f %s%s  %s%n", i + 1, x.score(), x.pData(), x.pModel(),
                    labels != null && labels[x.index()] ? "[bad] " : "", x.origin(), snippet(x.answer()));
        }
        System.out.printf(Locale.ROOT, "%d samples: mean score %.4f, median %.4f; %d (%.1f%%) above %.4f (%s)%n", s.n(),
                s.meanScore(), s.medianScore(), s.above(), 100 * s.fractionAbove(), s.threshold(), s.thresholdRule());
        System.out.printf(Locale.ROOT, "dataset %s (flagged when at least %.1f%% of samples are above the threshold)%n",
                s.flagged() ? "FLAGGED" : "not flagged", 100 * s.flagFraction());
        if (s.bad() != null) {
            System.out.printf(Locale.ROOT, "%d bad samples; AUROC of the score for bad against good: %s%n", s.bad(),
                    s.auroc() == null ? "n/a (needs both kinds)" : String.format(Locale.ROOT, "%.3f", s.auroc()));
        }
        System.out.println("wrote " + out.resolve("scores.tsv") + " and " + out.resolve("result.json"));
    }

    /** The first 80 characters of an answer, on one line (tabs and newlines as spaces). */
    static String snippet(String answer) {
        String one = answer.replaceAll("[\\t\\r\\n]+", " ");
        return one.length() <= 80 ? one : one.substring(0, 80);
    }
}
