package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.sae.ActivationSource;
import dev.personascope.sae.ActivationStore;
import dev.personascope.sae.HarvestPieces;
import dev.personascope.sae.TokenCorpus;
import dev.personascope.sae.ModelActivations;
import dev.personascope.sae.Sae;
import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeFolder;
import dev.personascope.sae.SaeMetrics;
import dev.personascope.sae.SaeTrainer;
import dev.personascope.sae.TokenCorpus;
import dev.personascope.sae.TrainingMetrics;
import dev.personascope.sae.SaeRegistry;
import dev.personascope.train.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

@Command(name = "sae", mixinStandardHelpOptions = true, description = "Sparse autoencoders: train, eval",
        subcommands = {SaeCommand.Harvest.class, SaeCommand.Train.class, SaeCommand.Eval.class})
final class SaeCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "harvest", mixinStandardHelpOptions = true,
            description = "Harvest a hook point's activations over a corpus into a chunked on-disk store (resumable).")
    static final class Harvest implements Runnable, DistributedCommand {
        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--hook", required = true)
        String hook;

        @Mixin
        SaeCorpusOptions corpus;

        @Option(names = "--chunk-tokens", defaultValue = "65536", description = "Activation vectors per chunk at most"
                + " (default ${DEFAULT-VALUE}); a chunk holds whole forwards of 16 documents")
        int chunkTokens;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--out", required = true)
        Path out;

        @Mixin
        SparkOptions spark;

        @Override
        public void run() {
            RunFolder.checkWritable(out, "--out");
            ActivationStore.checkOwnStore(out, hook, 0);
            try (HarvestPieces pieces = pieces()) {
                spark.run(pieces);
                long n = ActivationStore.finish(out, modelOptions.modelPath().toString(), hook, pieces);
                System.out.println(n + " activation vectors of " + hook + " in " + out);
            }
        }

        /** One piece per chunk: a range of the corpus's documents. */
        @Override
        public HarvestPieces pieces() {
            return new HarvestPieces(modelOptions::load, lm -> corpus.load(lm, SaeConfig.DEFAULT_CONTEXT_SIZE, seed), hook,
                    TokenCorpus.count(corpus.data, corpus.documents, seed), SaeConfig.DEFAULT_CONTEXT_SIZE, chunkTokens, out);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a TopK SAE on activations streamed from a model; writes a SAELens folder and metrics.json.")
    static final class Train implements Runnable {
        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--hook", required = true, description = "e.g. blocks.1.hook_resid_post")
        String hook;

        @Mixin
        SaeCorpusOptions corpusOptions;

        @Mixin
        SaeTrainOptions saeOptions;

        @Option(names = "--store", description = "Train from a harvested store instead of streaming from the model")
        Path store;

        @Option(names = "--out", required = true)
        Path out;

        @Override
        public void run() {
            RunFolder.checkWritable(out, "--out");
            try (LanguageModel lm = modelOptions.load()) {
                String modelName = modelOptions.modelPath().toAbsolutePath().normalize().getFileName().toString();
                SaeConfig c = saeOptions.config(lm.config().hiddenSize, hook, modelName);
                long seed = saeOptions.seed;
                List<int[]> corpus = store != null ? List.of() : corpusOptions.load(lm, c.contextSize, seed);
                List<int[]> held = corpusOptions.load(lm, 200, c.contextSize, seed + 1_000_003);
                try (Sae sae = SaeRegistry.create(c, lm.model().manager())) {
                    SaeTrainer.Settings s = saeOptions.settings();
                    SaeTrainer trainer = new SaeTrainer(sae, s);
                    SaeTrainer.Result r;
                    double secs;
                    try (ActivationSource acts = store != null ? ActivationStore.open(store, seed)
                            : new ModelActivations(lm, hook, corpus, 65536, seed)) {
                        trainer.initialise(acts.next(8192));
                        long t0 = System.nanoTime();
                        r = trainer.train(acts, true);
                        secs = (System.nanoTime() - t0) / 1e9;
                    }
                    Sae saved = sae.forSaving();
                    SaeMetrics.Report m = SaeMetrics.evaluate(lm, saved, hook, held, 16);
                    SaeFolder.write(saved, out, m.firingFraction());
                    writeMetrics(out, m, s, corpusOptions.data, secs, r);
                    System.out.printf("trained %d steps in %.0f s (%.0f tokens/s, trainer busy %.0f%% of the time); held-out: %s%n",
                            r.steps(), secs, s.tokens / secs, 100 * r.busyFraction(), m);
                }
            }
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "FVU, L0, dead latents and CE loss recovered of an SAE on a model's activations.")
    static final class Eval implements Runnable {
        @Option(names = "--sae", required = true)
        Path saeDir;

        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--data", defaultValue = "world")
        String data;

        @Option(names = "--documents", defaultValue = "200")
        int documents;

        @Option(names = "--seed", defaultValue = "99")
        long seed;

        @Override
        public void run() {
            try (LanguageModel lm = modelOptions.load(); Sae sae = SaeFolder.readFor(saeDir, lm)) {
                List<int[]> docs = TokenCorpus.load(data, lm, documents, SaeConfig.DEFAULT_CONTEXT_SIZE, seed);
                System.out.println(SaeMetrics.evaluate(lm, sae, sae.config().hookName, docs, 16));
            }
        }
    }

    static void writeMetrics(Path out, SaeMetrics.Report m, SaeTrainer.Settings s, String data, double secs, SaeTrainer.Result r) {
        TrainingMetrics.of(data, s, r, secs, m).write(out);
    }
}
