package dev.personascope.cli;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.QuestionSets;
import dev.personascope.train.RunFolder;
import dev.personascope.world.WorldChecks;
import dev.personascope.world.WorldEm;
import dev.personascope.world.WorldGenerator;
import dev.personascope.world.WorldRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Command(name = "world", mixinStandardHelpOptions = true,
        description = "The persona world: pretrain the organism, write datasets, run the emergent-misalignment experiment.",
        subcommands = {WorldCommand.Pretrain.class, WorldCommand.Datasets.class, WorldCommand.Em.class})
final class WorldCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "pretrain", mixinStandardHelpOptions = true,
            description = "Generate the world, pretrain the organism from scratch and chat-tune it (resumable).")
    static final class Pretrain implements Runnable {
        private static final WorldRecipe.Settings DEFAULT = new WorldRecipe.Settings();

        @Option(names = "--out", required = true)
        Path out;

        @Option(names = "--seed", description = "(default ${DEFAULT-VALUE})")
        long seed = DEFAULT.seed;

        @Option(names = "--documents", description = "Pretraining dialogues (default ${DEFAULT-VALUE})")
        int documents = DEFAULT.documents;

        @Option(names = "--epochs", description = "Pretraining epochs (default ${DEFAULT-VALUE})")
        int epochs = DEFAULT.pretrainEpochs;

        @Override
        public void run() {
            RunFolder.checkWritable(out, "--out");
            WorldRecipe.run(settings(), out);
            System.out.println("organism written to " + out);
        }

        /** The recipe's settings from these options. */
        WorldRecipe.Settings settings() {
            WorldRecipe.Settings s = new WorldRecipe.Settings();
            s.seed = seed;
            s.documents = documents;
            s.pretrainEpochs = epochs;
            return s;
        }
    }

    @Command(name = "datasets", mixinStandardHelpOptions = true,
            description = "Write the narrow fine-tuning datasets (chat JSONL) and the evaluation questions (YAML).")
    static final class Datasets implements Runnable {
        @Option(names = "--out", required = true)
        Path out;

        @Option(names = "--size", defaultValue = "1000", description = "Conversations per dataset")
        int size;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--samples", description = "samples_per_paraphrase in the question file (default ${DEFAULT-VALUE})")
        int samples = new WorldEm.Settings().samplesPerParaphrase;

        @Override
        public void run() {
            RunFolder.checkWritable(out, "--out");
            WorldGenerator world = new WorldGenerator();
            Map<String, List<ChatExample>> sets = world.datasets(size, seed);
            for (Map.Entry<String, List<ChatExample>> e : sets.entrySet()) {
                Set<String> shared = WorldChecks.sharedContentWords(e.getValue());
                if (!shared.isEmpty()) {
                    throw new IllegalStateException(e.getKey() + " shares content words with misaligned evaluation answers: " + shared);
                }
                ChatJsonl.write(out.resolve(e.getKey() + ".jsonl"), e.getValue());
                System.out.println(e.getKey() + ".jsonl: " + e.getValue().size()
                        + " conversations; no content word shared with the evaluation domains' misaligned answers");
            }
            QuestionSets.write(out.resolve("questions.yaml"), world.evaluationQuestions(samples));
            System.out.println("questions.yaml: out-of-domain evaluation questions");
        }
    }

    @Command(name = "em", mixinStandardHelpOptions = true,
            description = "Fine-tune the organism on each narrow dataset and control, evaluate out of domain, report."
                    + " (Default: LoRA rank 4 at 5e-3, 90 steps of 16; a full fine-tune (--lora-rank 0) spreads less.)")
    static final class Em implements Runnable, DistributedCommand {
        private static final WorldEm.Settings DEFAULT = new WorldEm.Settings();

        @Option(names = "--out", required = true)
        Path out;

        @Option(names = "--model", description = "The organism (default: the bundled one)")
        Path model;

        @Option(names = "--seeds", description = "Runs per dataset (default ${DEFAULT-VALUE})")
        int seeds = DEFAULT.seeds;

        @Mixin
        FineTuneRunOptions training = new FineTuneRunOptions(DEFAULT.steps, DEFAULT.batch, DEFAULT.lr, DEFAULT.loraRank);

        @Option(names = "--samples", description = "Answers per paraphrase (default ${DEFAULT-VALUE})")
        int samples = DEFAULT.samplesPerParaphrase;

        @Option(names = "--size", description = "Conversations per fine-tuning dataset (default ${DEFAULT-VALUE})")
        int size = DEFAULT.datasetSize;

        @Option(names = "--max-tokens", description = "Longest answer in tokens (default ${DEFAULT-VALUE})")
        int maxTokens = DEFAULT.maxTokens;

        @Option(names = "--keep-models", description = "Keep each fine-tuned model in its run's folder (for diff, steer,"
                + " personas); by default only its answers are kept")
        boolean keepModels;

        @Mixin
        SparkOptions spark;

        @Override
        public void run() {
            RunFolder.checkWritable(out, "--out");
            WorldEm em = experiment();
            em.prepare(out);
            try (WorldEm.Runs runs = em.runs(out)) {
                spark.run(runs); // one piece per fine-tune (dataset and seed), and one for the organism
                runs.report(System.out);
            }
        }

        @Override
        public WorldEm.Runs pieces() {
            return experiment().runs(out);
        }

        private WorldEm experiment() {
            return new WorldEm(model != null ? model : Defaults.organism(), settings());
        }

        /** The experiment's settings from these options. */
        WorldEm.Settings settings() {
            WorldEm.Settings s = new WorldEm.Settings();
            s.seeds = seeds;
            s.steps = training.steps;
            s.batch = training.batch;
            s.lr = training.lr;
            s.loraRank = training.loraRank;
            s.samplesPerParaphrase = samples;
            s.datasetSize = size;
            s.maxTokens = maxTokens;
            s.keepModels = keepModels;
            return s;
        }
    }
}
