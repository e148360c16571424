package dev.personascope.cli;

import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeTrainer;
import dev.personascope.sae.StandardSae;
import dev.personascope.sae.TrainableArchitecture;
import picocli.CommandLine.Option;

/**
 * sae train's options for the SAE and its training. Each option starts from the value of a fresh {@link SaeConfig}
 * or {@link SaeTrainer.Settings}, so the defaults are defined once, there.
 */
final class SaeTrainOptions {
    private static final SaeConfig SAE = new SaeConfig();
    private static final SaeTrainer.Settings TRAINING = new SaeTrainer.Settings();

    @Option(names = "--latents", defaultValue = "2048", description = "SAE width, d_sae (default ${DEFAULT-VALUE})")
    int latents;

    @Option(names = "--k", description = "Active latents per token, topk and batchtopk (default ${DEFAULT-VALUE})")
    int k = SAE.k;

    @Option(names = "--architecture", description = "topk, batchtopk (saved as jumprelu) or standard (ReLU + L1)"
            + " (default ${DEFAULT-VALUE})")
    TrainableArchitecture architecture = TrainableArchitecture.parse(SAE.architecture);

    @Option(names = "--l1", description = "L1 coefficient for standard SAEs (default ${DEFAULT-VALUE})")
    double l1 = StandardSae.DEFAULT_L1;

    @Option(names = "--tokens", description = "Training tokens (default ${DEFAULT-VALUE})")
    long tokens = TRAINING.tokens;

    @Option(names = "--lr", description = "(default ${DEFAULT-VALUE})")
    double lr = TRAINING.lr;

    @Option(names = "--seed", description = "(default ${DEFAULT-VALUE})")
    long seed = TRAINING.seed;

    /** The SAE to train on {@code hook} of a model with residual width {@code dIn}. */
    SaeConfig config(int dIn, String hook, String modelName) {
        SaeConfig c = new SaeConfig();
        c.dIn = dIn;
        c.dSae = latents;
        c.k = k;
        c.hookName = hook;
        c.architecture = architecture.toString();
        if (architecture == TrainableArchitecture.STANDARD) {
            c.extra.put("l1_coefficient", l1);
        }
        c.modelName = modelName;
        return c;
    }

    /** The training settings: these options, and dead latents counted over a tenth of the tokens (10k to 1M). */
    SaeTrainer.Settings settings() {
        SaeTrainer.Settings s = new SaeTrainer.Settings();
        s.tokens = tokens;
        s.lr = lr;
        s.seed = seed;
        s.deadAfterTokens = Math.min(1_000_000, Math.max(10_000, tokens / 10));
        return s;
    }
}
