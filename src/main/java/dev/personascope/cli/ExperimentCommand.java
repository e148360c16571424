package dev.personascope.cli;

import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.experiment.Checkup;
import dev.personascope.experiment.Realignment;
import dev.personascope.world.WorldGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments: contamination sweeps with the persona monitor, re-alignment with little correct data",
        subcommands = {ExperimentCommand.Realign.class})
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

        @Option(names = "--eval-samples", defaultValue = "8", description = "Answers per paraphrase (default ${DEFAULT-VALUE})")
        int samples;

        @Option(names = "--temperature", defaultValue = "1.0")
        double temperature;

        @Option(names = "--max-tokens", defaultValue = "48")
        int maxTokens;

        List<Question> questions() {
            return questions != null ? QuestionSets.read(questions) : new WorldGenerator().evaluationQuestions(samples);
        }

        Checkup checkup(Path out) {
            Judge judge = judgeOptions.create(out);
            return new Checkup(questions(), judge, samples, temperature, maxTokens);
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
                    .map(f -> new Realignment.Source(stem(f), ChatJsonl.read(f))).toList();
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
