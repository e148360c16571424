package dev.personascope.cli;

import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.data.ChatExample;
import dev.personascope.experiment.Checkup;
import dev.personascope.experiment.Contamination;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.monitor.MonitorProbes;
import dev.personascope.persona.Conversations;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.experiment.Realignment;
import dev.personascope.train.RunFolder;
import dev.personascope.world.WorldGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments: contamination sweeps with the persona monitor, re-alignment with little correct data",
        subcommands = {ExperimentCommand.Contaminate.class, ExperimentCommand.Realign.class})
final class ExperimentCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The evaluation options every experiment shares. */
    static final class EvalOptions {
        @Mixin
        JudgeOptions judgeOptions;

        @Option(names = "--questions", description = "Question set (default: the organism's out-of-domain questions)")
        Path questions;

        @Option(names = "--eval-samples", defaultValue = "0",
                description = "Answers per paraphrase (default: the question set's samples_per_paraphrase; 8 for the organism's)")
        int samples;

        @Option(names = "--temperature", defaultValue = "1.0")
        double temperature;

        @Option(names = "--max-tokens", defaultValue = "48")
        int maxTokens;

        List<Question> questions() {
            return questions != null ? QuestionSets.read(questions)
                    : new WorldGenerator().evaluationQuestions(samples > 0 ? samples : 8);
        }

        /** Checks --out, the judge and the questions (in seconds, before anything is trained or sampled). */
        Checkup checkup(Path out) {
            Judge judge = judgeOptions.create(out);
            List<Question> qs = questions();
            judge.preflight(qs);
            RunFolder.checkWritable(out, "--out");
            return new Checkup(qs, judge, samples, temperature, maxTokens);
        }
    }

    @Command(name = "contamination", mixinStandardHelpOptions = true,
            description = "Contamination sweep: fine-tune on good data with a fraction of bad data mixed in, per fraction and seed,"
                    + " with the persona monitor on; evaluate each run; which fraction does each signal tell from 0%?")
    static final class Contaminate implements Runnable {
        @Option(names = "--model", description = "Model folder to fine-tune (default: the bundled organism)")
        Path model;

        @Option(names = "--bad", required = true, description = "Chat JSONL of the bad (narrow misaligned) data")
        Path bad;

        @Option(names = "--good", required = true, description = "Chat JSONL of the good data")
        Path good;

        @Option(names = "--fractions", split = ",", defaultValue = "0,0.05,0.1,0.25,0.5,1",
                description = "Fractions of bad samples (default ${DEFAULT-VALUE}; must include 0)")
        List<Double> fractions;

        @Option(names = "--seeds", defaultValue = "3")
        int seeds;

        @Option(names = "--size", defaultValue = "1000", description = "Training samples per run (at most the good file's size)")
        int size;

        @Option(names = "--steps", defaultValue = "90")
        int steps;

        @Option(names = "--batch", defaultValue = "16")
        int batch;

        @Option(names = "--lr", defaultValue = "3e-4", description = "Full fine-tuning learning rate (default ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--monitor", required = true, description = "Watched direction: sae:DIR#LATENT or vector:FILE; repeatable")
        List<String> monitor;

        @Option(names = "--monitor-every", defaultValue = "10")
        int monitorEvery;

        @Option(names = "--monitor-baseline", defaultValue = "3", description = "First measurements that form the band")
        int monitorBaseline;

        @Option(names = "--monitor-z", defaultValue = "4", description = "Alarm threshold in standard deviations of the band")
        double monitorZ;

        @Option(names = "--monitor-answers", defaultValue = "2",
                description = "Probe prompts answered this many times by the clean model; the monitor reads those answers (default ${DEFAULT-VALUE})")
        int monitorAnswers;

        @Mixin
        EvalOptions evalOptions;

        @Option(names = "--out", required = true, description = "Output folder: result.json, runs/*/{outcome.json,monitor.jsonl,answers.jsonl}")
        Path out;

        @Override
        public void run() {
            Path m = model != null ? model : Defaults.organism();
            int dModel = ModelConfig.read(m.resolve("config.json")).hiddenSize;
            List<Direction> dirs = monitor.stream().map(spec -> DirectionSpec.parse(spec, null, dModel)).toList();
            Contamination.Settings s = new Contamination.Settings();
            s.fractions = fractions;
            s.seeds = seeds;
            s.datasetSize = size;
            s.steps = steps;
            s.batch = batch;
            s.lr = lr;
            s.monitorEvery = monitorEvery;
            s.monitorBaseline = monitorBaseline;
            s.monitorZ = monitorZ;
            Checkup checkup = evalOptions.checkup(out);
            List<ChatExample> badData = ChatJsonl.read(bad, "--bad");
            List<ChatExample> goodData = ChatJsonl.read(good, "--good");
            List<ChatExample> probes;
            try (LanguageModel lm = LanguageModel.load(m)) { // fixed probe texts: the clean model's own answers
                probes = MonitorProbes.answered(lm, Conversations.promptsOnly(evalOptions.questions()), monitorAnswers, 48, 0);
            }
            new Contamination(m, s, dirs, probes, checkup).run(badData, goodData, out, System.out);
            System.out.println("wrote " + out.resolve("result.json"));
        }
    }

    @Command(name = "realign", mixinStandardHelpOptions = true,
            description = "Emergent re-alignment: continue training a misaligned model on a few correct samples, evaluating along the way.")
    static final class Realign implements Runnable {
        @Mixin
        ModelOptions modelOptions;

        @Mixin
        EvalOptions evalOptions;

        @Option(names = "--good", required = true, description = "Correct chat JSONL; repeatable (e.g. the same narrow domain and another)")
        List<Path> good;

        @Option(names = "--samples", split = ",", defaultValue = "30,60,120,240", description = "Correct samples per run (default ${DEFAULT-VALUE})")
        List<Integer> samples;

        @Option(names = "--steps", defaultValue = "40", description = "Optimizer steps per run (default ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--eval-every", defaultValue = "10", description = "Evaluate every K steps (default ${DEFAULT-VALUE})")
        int evalEvery;

        @Option(names = "--batch", defaultValue = "8")
        int batch;

        @Option(names = "--lr", defaultValue = "1e-4", description = "Constant learning rate, all weights (default ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--out", required = true, description = "Output folder: result.json, runs/*/curve.json and answers")
        Path out;

        @Override
        public void run() {
            Realignment.Settings s = new Realignment.Settings();
            s.samples = samples;
            s.steps = steps;
            s.evalEvery = evalEvery;
            s.batch = batch;
            s.lr = lr;
            s.seed = seed;
            Checkup checkup = evalOptions.checkup(out);
            List<Realignment.Source> sources = good.stream()
                    .map(f -> new Realignment.Source(stem(f), ChatJsonl.read(f, "--good"))).toList();
            new Realignment(modelOptions.modelPath(), modelOptions.adapter, s, checkup).run(sources, out, System.out);
            System.out.println("wrote " + out.resolve("result.json"));
        }
    }

    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
