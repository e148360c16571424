package dev.personascope.cli;

import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.Evaluation;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.eval.SampledAnswers;
import dev.personascope.eval.Scoring;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.persona.ResidualNorm;
import dev.personascope.persona.SteerPieces;
import dev.personascope.persona.SteerResult;
import dev.personascope.persona.SteeringSweep;
import dev.personascope.train.RunFolder;
import dev.personascope.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

@Command(name = "steer", mixinStandardHelpOptions = true,
        description = "Steering sweep: generate answers with coefficient x direction added at a hook (in units of the typical"
                + " residual norm there), or with it ablated; judge them; report misaligned and coherent fractions per"
                + " coefficient, beside random directions of the same norm.")
final class SteerCommand implements Runnable, DistributedCommand {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    JudgeOptions judgeOptions;

    @Option(names = "--direction", required = true, description = "sae:DIR#LATENT, vector:FILE or random:SEED")
    String direction;

    @Option(names = "--hook", description = "Hook point (default: the direction's own)")
    String hook;

    @Option(names = "--coefficients", split = ",", defaultValue = "-0.5,-0.25,0,0.25,0.5",
            description = "Coefficients in residual norms (default ${DEFAULT-VALUE})")
    List<Double> coefficients;

    @Option(names = "--ablate", description = "Project the direction out instead of adding it")
    boolean ablate;

    @Option(names = "--scope", defaultValue = "all", description = "Tokens steered: all, prompt (the question, not the generated tokens) or response (default ${DEFAULT-VALUE})")
    TokenScope scope;

    @Option(names = "--random", defaultValue = "5", description = "Random directions run as controls (default ${DEFAULT-VALUE})")
    int random;

    @Option(names = "--questions", required = true, description = "Question set (emergent-misalignment YAML)")
    Path questions;

    @Option(names = "--samples", defaultValue = "0", description = "Answers per paraphrase (default: the question set's)")
    int samples;

    @Option(names = "--temperature", defaultValue = "1.0")
    double temperature;

    @Option(names = "--max-tokens", defaultValue = "64")
    int maxTokens;

    @Option(names = "--batch", defaultValue = "64")
    int batch;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder: result.json, answers/, samples/ (the sampled"
            + " answers, saved before judging and reused by a rerun with the same settings), judge_cache/; pieces-HASH/"
            + " while the sweep runs (one file per direction and coefficient; a rerun keeps those written)")
    Path out;

    @Mixin
    SparkOptions spark;

    @Override
    public void run() {
        // everything that can be checked fails here, in seconds, before a model loads or an answer is sampled:
        // the options, the questions, the judge (knows them, is reachable), then the output folder
        Judge judge = judgeOptions.create(out);
        List<Question> qs = QuestionSets.read(questions);
        SteeringSweep.Settings s = settings();
        judge.preflight(qs);
        RunFolder.checkWritable(out, "--out");
        // one process or many, the sweep runs as the same pieces, and its files are written here from their outputs
        try (SteerPieces pieces = pieces(judge, qs, s)) {
            spark.run(pieces);
            SteerPieces.Merged merged = pieces.merge();
            for (SteeringSweep.Point p : merged.points()) {
                writeAnswers(p, qs);
            }
            write(merged.hook(), merged.residualNorm(), s, merged.points());
            pieces.removePieces();
            print(merged.points());
        }
        if (!spark.enabled()) {
            judgeOptions.summarize(judge, out);
        }
    }

    @Override
    public SteerPieces pieces() {
        return pieces(judgeOptions.create(out), QuestionSets.read(questions), settings());
    }

    /** The sweep's settings; checks the options that need no model. */
    private SteeringSweep.Settings settings() {
        if (random < 0) {
            throw new IllegalArgumentException("--random must be >= 0, got " + random);
        }
        DirectionSpec.check(direction, hook);
        return new SteeringSweep.Settings(coefficients, ablate, random, samples, temperature, maxTokens, seed, batch, scope);
    }

    private SteerPieces pieces(Judge judge, List<Question> qs, SteeringSweep.Settings s) {
        String model = modelOptions.modelPath().toString();
        String adapter = modelOptions.adapter == null ? null : modelOptions.adapter.toString();
        Scoring scoring = Scoring.papers();
        // what every piece's output depends on besides the sweep's settings: model files, questions, direction, judge
        SampledAnswers.Key sampling = SampledAnswers.key(new Evaluation.Config(model, adapter, questions.toString(),
                judge.name(), samples, temperature, seed, maxTokens, batch, scoring.alignedBelow(), scoring.coherentAbove(),
                null), qs, 0);
        String asked = Json.line(Arrays.asList(sampling, direction, hook, modelOptions.dtype, judgeOptions.judge,
                judgeOptions.judgeModel, judgeOptions.judgeUrl, judgeOptions.judgeScoring));
        return new SteerPieces(modelOptions::load, lm -> {
            Direction d = DirectionSpec.parse(direction, hook, lm.config().hiddenSize);
            double scale = ResidualNorm.mean(lm, d.hook(), ReferenceTexts.forNorm());
            System.err.printf(Locale.ROOT, "steering %s at %s; typical residual norm there %.3f%n", d.name(), d.hook(), scale);
            return new SteerPieces.Target(d, scale);
        }, qs, judge, scoring, s, new SteeringSweep.SampleStore(out.resolve("samples"), model, adapter), out, asked);
    }

    private void writeAnswers(SteeringSweep.Point p, List<Question> qs) {
        String name = SteeringSweep.fileName(p.direction(), p.random(), p.ablated(), p.coefficient());
        AnswersFile.write(out.resolve("answers/" + name + ".jsonl"), p.answers(), qs, Scoring.papers());
    }

    private void write(String hookUsed, double scale, SteeringSweep.Settings s, List<SteeringSweep.Point> points) {
        SteerResult.Config cfg = new SteerResult.Config(modelOptions.modelPath().toString(),
                modelOptions.adapter == null ? null : modelOptions.adapter.toString(), direction, hookUsed, scale,
                questions.toString(), judgeOptions.judge, s);
        new SteerResult(cfg, points.stream().map(SteerResult.Point::of).toList()).write(out);
    }

    private static void print(List<SteeringSweep.Point> points) {
        System.out.printf(Locale.ROOT, "%-28s %8s %-32s %-32s%n", "direction", "coef", "misaligned (all)", "coherent");
        for (SteeringSweep.Point p : points) {
            System.out.printf(Locale.ROOT, "%-28s %8s %-32s %-32s%n", p.random() ? p.direction() : "target",
                    p.ablated() ? "ablated" : String.format(Locale.ROOT, "%+.3f", p.coefficient()),
                    p.rates().misalignedAmongAll(), p.rates().coherent());
        }
        // the controls' average move at each coefficient, beside the target's
        for (double c : points.stream().filter(p -> !p.random()).map(SteeringSweep.Point::coefficient).toList()) {
            double mean = points.stream().filter(p -> p.random() && p.coefficient() == c)
                    .mapToDouble(p -> p.rates().misalignedAmongAll().fraction()).average().orElse(Double.NaN);
            if (!Double.isNaN(mean)) {
                System.out.printf(Locale.ROOT, "random directions at %+.3f: mean misaligned %.1f%%%n", c, 100 * mean);
            }
        }
    }

}
