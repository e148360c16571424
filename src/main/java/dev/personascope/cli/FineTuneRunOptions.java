package dev.personascope.cli;

import picocli.CommandLine.Option;

/**
 * The fixed-length full fine-tunes inside an experiment (contamination, realign, world em): steps, batch and learning
 * rate. A command builds it from its experiment's settings object, so the defaults stay the experiment's own.
 */
final class FineTuneRunOptions {
    @Option(names = "--steps", description = "Optimizer steps per run (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", description = "Examples per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", description = "Learning rate of the full fine-tuning (default ${DEFAULT-VALUE})")
    double lr;

    FineTuneRunOptions(int steps, int batch, double lr) {
        this.steps = steps;
        this.batch = batch;
        this.lr = lr;
    }
}
