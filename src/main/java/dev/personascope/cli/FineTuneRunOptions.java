package dev.personascope.cli;

import picocli.CommandLine.Option;

/**
 * The fixed-length fine-tunes inside an experiment (contamination, realign, world em): steps, batch, learning rate and
 * LoRA rank (0: all weights). A command builds it from its experiment's settings object, so the defaults stay the
 * experiment's own.
 */
final class FineTuneRunOptions {
    @Option(names = "--steps", description = "Optimizer steps per run (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", description = "Examples per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", description = "Peak learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--lora-rank", description = "LoRA rank on every projection, 0 for all weights (default ${DEFAULT-VALUE})")
    int loraRank;

    FineTuneRunOptions(int steps, int batch, double lr, int loraRank) {
        this.steps = steps;
        this.batch = batch;
        this.lr = lr;
        this.loraRank = loraRank;
    }
}
