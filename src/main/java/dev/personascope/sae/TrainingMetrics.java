package dev.personascope.sae;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.util.Json;

import java.nio.file.Path;

/**
 * {@code metrics.json} beside a trained SAE: the data and settings it was trained with, how long it took, and its
 * {@link SaeMetrics} on held-out text (FVU, L0, dead fraction, the model's loss clean, with the SAE and zero-ablated).
 * {@code trainerBusyFraction} is the fraction of the training time spent in training steps, not waiting for activations.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingMetrics(String data, SaeTrainer.Settings training, int steps, double seconds, long tokens, double fvu,
                              double l0, double deadFraction, double ceClean, double ceWithSae, double ceZeroAblated,
                              double ceLossRecovered, double trainerBusyFraction) {
    public static final String FILE = "metrics.json";

    public static TrainingMetrics of(String data, SaeTrainer.Settings s, SaeTrainer.Result r, double seconds,
                                     SaeMetrics.Report m) {
        return new TrainingMetrics(data, s, r.steps(), seconds, m.tokens(), m.fvu(), m.l0(), m.deadFraction(), m.ceClean(),
                m.ceSae(), m.ceZero(), m.ceRecovered(), r.busyFraction());
    }

    /** Writes {@code DIR/metrics.json}. */
    public void write(Path dir) {
        Json.write(dir.resolve(FILE), this);
    }

    /** Reads a {@code metrics.json}. */
    public static TrainingMetrics read(Path file) {
        return Json.read(file, TrainingMetrics.class);
    }
}
