package dev.personascope.cli;

import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.persona.ResidualNorm;
import dev.personascope.persona.SteerResult;
import dev.personascope.persona.SteeringSweep;
import dev.personascope.train.RunFolder;
import dev.personascope.util.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

@Command(name = "steer", mixinStandardHelpOptions = true,
        description = "Steering sweep: generate answers with coefficient x direction added at a hook (in units of the typical"
                + " residual norm there), or with it ablated; judge them; report misaligned and coherent fractions per"
                + " coefficient, beside random directions of the same norm.")
final class SteerCommand implements Runnable {
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
            + " answers, saved before judging and reused by a rerun with the same settings), judge_cache/")
    Path out;

    @Override
    public void run() {
        if (random < 0) {
            throw new IllegalArgumentException("--random must be >= 0, got " + random);
        }
        // everything that can be checked fails here, in seconds, before a model loads or an answer is sampled:
        // the options, the questions, the judge (knows them, is reachable), then the output folder
        Judge judge = judgeOptions.create(out);
        List<Question> qs = QuestionSets.read(questions);
        SteeringSweep.Settings s = new SteeringSweep.Settings(coefficients, ablate, random, samples, temperature, maxTokens, seed,
                batch, scope);
        DirectionSpec.check(direction, hook);
        judge.preflight(qs);
        RunFolder.checkWritable(out, "--out");
        try (LanguageModel lm = modelOptions.load()) {
            Direction d = DirectionSpec.parse(direction, hook, lm.config().hiddenSize);
            double scale = ResidualNorm.mean(lm, d.hook(), ReferenceTexts.forNorm());
            System.err.printf(Locale.ROOT, "steering %s at %s; typical residual norm there %.3f%n", d.name(), d.hook(), scale);
            List<SteeringSweep.Point> points;
            try (ProgressBar bar = new ProgressBar("steer", SteeringSweep.evaluations(s), "evals")) {
                SteeringSweep.SampleStore store = new SteeringSweep.SampleStore(out.resolve("samples"),
                        modelOptions.modelPath().toString(), modelOptions.adapter == null ? null : modelOptions.adapter.toString());
                points = SteeringSweep.run(lm, d, scale, qs, judge, Scoring.papers(), s, store, p -> {
                    writeAnswers(p, qs);
                    bar.step(1);
                });
            }
            write(d, scale, s, points);
            print(points);
        }
        judgeOptions.summarize(judge, out);
    }

    private void writeAnswers(SteeringSweep.Point p, List<Question> qs) {
        String name = SteeringSweep.fileName(p.direction(), p.random(), p.ablated(), p.coefficient());
        AnswersFile.write(out.resolve("answers/" + name + ".jsonl"), p.answers(), qs, Scoring.papers());
    }

    private void write(Direction d, double scale, SteeringSweep.Settings s, List<SteeringSweep.Point> points) {
        SteerResult.Config cfg = new SteerResult.Config(modelOptions.modelPath().toString(),
                modelOptions.adapter == null ? null : modelOptions.adapter.toString(), direction, d.hook(), scale,
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
