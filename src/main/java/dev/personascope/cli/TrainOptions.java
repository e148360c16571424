package dev.personascope.cli;

import dev.personascope.train.LrSchedule;
import dev.personascope.train.TrainConfig;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * finetune's training options. Each option starts from the value of a fresh {@link TrainConfig}, so the defaults
 * are defined once, there; {@link #config()} is the config these options give.
 */
final class TrainOptions {
    private static final TrainConfig DEFAULT = new TrainConfig();

    @Option(names = "--full", description = "Train all weights instead of LoRA adapters")
    boolean full;

    @Option(names = "--lora-rank", description = "(default ${DEFAULT-VALUE})")
    int loraRank = DEFAULT.loraRank;

    @Option(names = "--lora-alpha", description = "Default: 2 x rank")
    Double loraAlpha;

    @Option(names = "--lora-dropout", description = "(default ${DEFAULT-VALUE})")
    double loraDropout = DEFAULT.loraDropout;

    @Option(names = "--lora-targets", split = ",", description = "Projections by module name (e.g. q_proj,v_proj) or all-linear"
            + " (every projection of every block) (default ${DEFAULT-VALUE})")
    List<String> loraTargets = DEFAULT.loraTargets;

    @Option(names = "--lora-layers", split = ",", description = "Layer indices (default all)")
    List<Integer> loraLayers = DEFAULT.loraLayers;

    @Option(names = "--rslora", description = "Scale LoRA by alpha / sqrt(rank)")
    boolean rslora = DEFAULT.rslora;

    @Option(names = "--dora", description = "DoRA: LoRA with a trained magnitude per output row (PEFT's use_dora)")
    boolean dora = DEFAULT.dora;

    @Option(names = "--save-dtype", description = "With --full: dtype of the saved weights, f32, bf16 or f16 (default: the source model's)")
    String saveDtype = DEFAULT.saveDtype;

    @Option(names = "--epochs", description = "(default ${DEFAULT-VALUE})")
    int epochs = DEFAULT.epochs;

    @Option(names = "--steps", description = "Optimizer steps (overrides --epochs) (default ${DEFAULT-VALUE})")
    int steps = DEFAULT.steps;

    @Option(names = "--lr", description = "Peak learning rate (default 1e-4 LoRA, 1e-5 full)")
    Double lr;

    @Option(names = "--batch", description = "(default ${DEFAULT-VALUE})")
    int batch = DEFAULT.batch;

    @Option(names = "--grad-accum", description = "(default ${DEFAULT-VALUE})")
    int gradAccum = DEFAULT.gradAccum;

    @Option(names = "--warmup", description = "Warm-up steps (default ${DEFAULT-VALUE})")
    int warmup = DEFAULT.warmupSteps;

    @Option(names = "--schedule", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    LrSchedule.Kind schedule = DEFAULT.schedule;

    @Option(names = "--weight-decay", description = "(default ${DEFAULT-VALUE})")
    double weightDecay = DEFAULT.weightDecay;

    @Option(names = "--clip", description = "Gradient clipping by global norm (0 = off) (default ${DEFAULT-VALUE})")
    double clip = DEFAULT.clip;

    @Option(names = "--seed", description = "(default ${DEFAULT-VALUE})")
    long seed = DEFAULT.seed;

    @Option(names = "--max-length", description = "(default ${DEFAULT-VALUE})")
    int maxLength = DEFAULT.maxLength;

    @Option(names = "--checkpoint-every", description = "(default ${DEFAULT-VALUE})")
    int checkpointEvery = DEFAULT.checkpointEvery;

    @Option(names = "--val-fraction", description = "(default ${DEFAULT-VALUE})")
    double valFraction = DEFAULT.valFraction;

    @Option(names = "--eval-every", description = "(default ${DEFAULT-VALUE})")
    int evalEvery = DEFAULT.evalEvery;

    /** The training config of these options, checked. */
    TrainConfig config() {
        TrainConfig c = new TrainConfig();
        c.mode = full ? TrainConfig.Mode.FULL : TrainConfig.Mode.LORA;
        c.loraRank = loraRank;
        c.loraAlpha = loraAlpha != null ? loraAlpha : TrainConfig.defaultLoraAlpha(loraRank);
        c.loraDropout = loraDropout;
        c.loraTargets = loraTargets;
        c.loraLayers = loraLayers;
        c.rslora = rslora;
        c.dora = dora;
        c.saveDtype = saveDtype;
        c.epochs = epochs;
        c.steps = steps;
        c.lr = lr != null ? lr : TrainConfig.defaultLr(c.mode);
        c.batch = batch;
        c.gradAccum = gradAccum;
        c.warmupSteps = warmup;
        c.schedule = schedule;
        c.weightDecay = weightDecay;
        c.clip = clip;
        c.seed = seed;
        c.maxLength = maxLength;
        c.checkpointEvery = checkpointEvery;
        c.valFraction = valFraction;
        c.evalEvery = evalEvery;
        c.validate();
        return c;
    }
}
