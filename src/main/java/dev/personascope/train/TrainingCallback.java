package dev.personascope.train;

/**
 * Code run during training every {@link #every()} optimizer steps with the live model (adapters
 * attached, dropout off, no gradient recording): it may run forward passes with hooks, and stops
 * training by returning true. The early-warning monitor is one.
 */
public interface TrainingCallback {
    int every();

    boolean onStep(TrainingProgress progress);
}
