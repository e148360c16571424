package dev.personascope.cli;

import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.data.ChatExample;
import dev.personascope.experiment.Checkup;
import dev.personascope.experiment.Contamination;
import dev.personascope.experiment.Grid;
import dev.personascope.experiment.GridReport;
import dev.personascope.experiment.GridResult;
import dev.personascope.experiment.GridSpec;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.persona.Conversations;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.experiment.Realignment;
import dev.personascope.train.RunFolder;
import dev.personascope.world.WorldEm;
import dev.personascope.world.WorldGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments: contamination sweeps with the persona monitor, re-alignment with little correct data,"
                + " grids of fine-tuning settings",
        subcommands = {ExperimentCommand.Contaminate.class, ExperimentCommand.Realign.class, ExperimentCommand.GridRun.class})
final class ExperimentCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The evaluation options every experiment shares; the defaults are the organism's evaluation (WorldEm's). */
    static final class EvalOptions {
        private static final WorldEm.Settings ORGANISM = new WorldEm.Settings();

        @Mixin
        JudgeOptions judgeOptions;

        @Option(names = "--questions", description = "Question set (default: the organism's out-of-domain questions)")
        Path questions;

        @Option(names = "--eval-samples", defaultValue = "0",
                description = "Answers per paraphrase (default: the question set's samples_per_paraphrase; 8 for the organism's)")
        int samples;

        @Option(names = "--temperature", description = "(default ${DEFAULT-VALUE})")
        double temperature = ORGANISM.temperature;

        @Option(names = "--max-tokens", description = "(default ${DEFAULT-VALUE})")
        int maxTokens = ORGANISM.maxTokens;

        List<Question> questions() {
            return questions != null ? QuestionSets.read(questions)
                    : new WorldGenerator().evaluationQuestions(samples > 0 ? samples : ORGANISM.samplesPerParaphrase);
        }

        /**
         * The checkup; with {@code check} (the driver), --out, the judge and the questions are checked first, in
         * seconds, before anything is trained or sampled (an executor's pieces skip that).
         */
        Checkup checkup(Path out, boolean check) {
            Judge judge = judgeOptions.create(out);
            List<Question> qs = questions();
            if (check) {
                judge.preflight(qs);
                RunFolder.checkWritable(out, "--out");
            }
            return new Checkup(qs, judge, samples, temperature, maxTokens);
        }
    }

    @Command(name = "contamination", mixinStandardHelpOptions = true,
            description = "Contamination sweep: fine-tune on good data with a fraction of bad data mixed in, per fraction and seed,"
                    + " with the persona monitor on; evaluate each run; which fraction does each signal tell from 0%%?")
    static final class Contaminate implements Runnable, DistributedCommand {
        private static final Contamination.Settings DEFAULT = new Contamination.Settings();

        @Option(names = "--model", description = "Model folder to fine-tune (default: the bundled organism)")
        Path model;

        @Option(names = "--bad", required = true, description = "Chat JSONL of the bad (narrow misaligned) data")
        Path bad;

        @Option(names = "--good", required = true, description = "Chat JSONL of the good data")
        Path good;

        @Option(names = "--fractions", split = ",", description = "Fractions of bad samples (default ${DEFAULT-VALUE}; must include 0)")
        List<Double> fractions = DEFAULT.fractions;

        @Option(names = "--seeds", description = "Runs per fraction (default ${DEFAULT-VALUE})")
        int seeds = DEFAULT.seeds;

        @Option(names = "--size", description = "Training samples per run (at most the good file's size) (default ${DEFAULT-VALUE})")
        int size = DEFAULT.datasetSize;

        @Mixin
        FineTuneRunOptions training = new FineTuneRunOptions(DEFAULT.steps, DEFAULT.batch, DEFAULT.lr, DEFAULT.loraRank);

        @Option(names = "--monitor", required = true, description = "Watched direction: sae:DIR#LATENT or vector:FILE; repeatable")
        List<String> monitor;

        @Mixin
        MonitorBandOptions band;

        @Mixin
        EvalOptions evalOptions;

        @Mixin
        SparkOptions spark;

        @Option(names = "--out", required = true, description = "Output folder: result.json, runs/*/{outcome.json,monitor.jsonl,answers.jsonl}")
        Path out;

        @Override
        public void run() {
            try (Contamination.Runs runs = runs(true)) {
                spark.run(runs); // one piece per fraction and seed
                runs.report(System.out);
            }
            System.out.println("wrote " + out.resolve("result.json"));
        }

        @Override
        public Contamination.Runs pieces() {
            return runs(false);
        }

        /** The sweep's runs from these options, checked (with {@code check}, also --out and the judge). */
        private Contamination.Runs runs(boolean check) {
            Path m = model != null ? model : Defaults.organism();
            int dModel = ModelConfig.read(m.resolve("config.json")).hiddenSize;
            List<Direction> dirs = monitor.stream().map(spec -> DirectionSpec.parse(spec, null, dModel)).toList();
            Contamination.Settings s = settings();
            band.validate();
            Checkup checkup = evalOptions.checkup(out, check);
            List<ChatExample> badData = ChatJsonl.read(bad, "--bad");
            List<ChatExample> goodData = ChatJsonl.read(good, "--good");
            Supplier<List<ChatExample>> probes = () -> {
                try (LanguageModel lm = LanguageModel.load(m)) { // fixed probe texts: the clean model's own answers
                    return band.answered(lm, Conversations.promptsOnly(evalOptions.questions()), 0);
                }
            };
            return new Contamination(m, s, dirs, probes, checkup).runs(badData, goodData, out);
        }

        /** The sweep's settings from these options. */
        Contamination.Settings settings() {
            Contamination.Settings s = new Contamination.Settings();
            s.fractions = fractions;
            s.seeds = seeds;
            s.datasetSize = size;
            s.steps = training.steps;
            s.batch = training.batch;
            s.lr = training.lr;
            s.loraRank = training.loraRank;
            s.monitorEvery = band.every;
            s.monitorBaseline = band.baseline;
            s.monitorZ = band.z;
            return s;
        }
    }

    @Command(name = "realign", mixinStandardHelpOptions = true,
            description = "Emergent re-alignment: continue training a misaligned model on a few correct samples, evaluating along the way.")
    static final class Realign implements Runnable, DistributedCommand {
        private static final Realignment.Settings DEFAULT = new Realignment.Settings();

        @Mixin
        ModelOptions modelOptions;

        @Mixin
        EvalOptions evalOptions;

        @Option(names = "--good", required = true, description = "Correct chat JSONL; repeatable (e.g. the same narrow domain and another)")
        List<Path> good;

        @Option(names = "--samples", split = ",", description = "Correct samples per run (default ${DEFAULT-VALUE})")
        List<Integer> samples = DEFAULT.samples;

        @Mixin
        FineTuneRunOptions training = new FineTuneRunOptions(DEFAULT.steps, DEFAULT.batch, DEFAULT.lr, DEFAULT.loraRank);

        @Option(names = "--eval-every", description = "Evaluate every K steps (default ${DEFAULT-VALUE})")
        int evalEvery = DEFAULT.evalEvery;

        @Option(names = "--seed", description = "(default ${DEFAULT-VALUE})")
        long seed = DEFAULT.seed;

        @Mixin
        SparkOptions spark;

        @Option(names = "--out", required = true, description = "Output folder: result.json, start/ and runs/*/ (curve.json"
                + " and answers)")
        Path out;

        @Override
        public void run() {
            try (Realignment.Runs runs = runs(true)) {
                spark.run(runs); // one piece per source and sample count, and one for the model before
                runs.report(System.out);
            }
            System.out.println("wrote " + out.resolve("result.json"));
        }

        @Override
        public Realignment.Runs pieces() {
            return runs(false);
        }

        /** The experiment's runs from these options, checked (with {@code check}, also --out and the judge). */
        private Realignment.Runs runs(boolean check) {
            Realignment.Settings s = settings();
            Checkup checkup = evalOptions.checkup(out, check);
            List<Realignment.Source> sources = good.stream()
                    .map(f -> new Realignment.Source(stem(f), ChatJsonl.read(f, "--good"))).toList();
            return new Realignment(modelOptions.modelPath(), modelOptions.adapter, s, checkup).runs(sources, out);
        }

        /** The experiment's settings from these options. */
        Realignment.Settings settings() {
            Realignment.Settings s = new Realignment.Settings();
            s.samples = samples;
            s.steps = training.steps;
            s.evalEvery = evalEvery;
            s.batch = training.batch;
            s.lr = training.lr;
            s.loraRank = training.loraRank;
            s.seed = seed;
            return s;
        }
    }

    @Command(name = "grid", mixinStandardHelpOptions = true,
            description = "A grid of fine-tuning settings (learning rate, LoRA rank or all weights, steps, seed, fraction of bad"
                    + " data mixed into good) given in a YAML spec: fine-tune and evaluate at every point; tables and a plot of"
                    + " the misaligned rate against the swept settings. Resumable; --spark runs each point as a Spark task.")
    static final class GridRun implements Runnable, DistributedCommand {
        @Option(names = "--spec", required = true, description = "grid.yaml: model, data, good, fraction, size, lr, lora_rank,"
                + " steps, seed, batch, questions, judge, samples, max_tokens, temperature (paths relative to its folder)")
        Path spec;

        @Option(names = "--out", required = true, description = "Output folder: results.json, results.csv, results.html,"
                + " points/ID/{point.json,answers.jsonl,train/} (a point whose point.json exists is not run again), grid.json"
                + " (the settings all points share; a rerun with other ones is refused), judge_cache/")
        Path out;

        @Mixin
        SparkOptions spark;

        @Override
        public void run() {
            Setup s = setup();
            s.judge().preflight(s.questions());
            RunFolder.checkWritable(out, "--out");
            Grid grid = s.grid();
            grid.checkSameShared();
            spark.run(grid);
            GridResult result = new GridResult(s.spec(), s.model().toString(), grid.results());
            result.write(out);
            GridReport.write(result, out);
            System.out.printf(Locale.ROOT, "%-44s %-32s %-32s%n", "point", "misaligned (all)", "coherent");
            for (GridResult.Point p : result.points()) {
                System.out.printf(Locale.ROOT, "%-44s %-32s %-32s%n", p.settings().id(), p.misaligned(), p.coherent());
            }
            System.out.println("wrote " + out.resolve(GridResult.FILE) + ", results.csv and results.html");
        }

        @Override
        public Grid pieces() {
            return setup().grid();
        }

        private record Setup(GridSpec spec, Path model, Judge judge, List<Question> questions, Grid grid) {
        }

        /** Reads and checks the spec and what it names; loads no model. */
        private Setup setup() {
            GridSpec g = GridSpec.read(spec);
            Path m = g.model() != null ? GridSpec.resolve(spec, g.model()) : Defaults.organism();
            if (!java.nio.file.Files.exists(m)) {
                throw new IllegalArgumentException(spec + ": model: " + m + ": no such file or folder");
            }
            Judge judge = JudgeOptions.of(g.judge(), spec).create(out);
            List<Question> qs = QuestionSets.read(GridSpec.resolve(spec, g.questions()));
            List<ChatExample> bad = ChatJsonl.read(GridSpec.resolve(spec, g.data()), "data");
            List<ChatExample> goodData = g.good() == null ? null : ChatJsonl.read(GridSpec.resolve(spec, g.good()), "good");
            Checkup checkup = new Checkup(qs, judge, g.samples(), g.temperature(), g.maxTokens());
            return new Setup(g, m, judge, qs, new Grid(m, g, bad, goodData, checkup, out));
        }
    }

    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
