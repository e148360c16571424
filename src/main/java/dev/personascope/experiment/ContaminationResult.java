package dev.personascope.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.eval.Wilson;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The contamination sweep's {@code result.json}: the settings, the monitor's directions, per fraction the pooled
 * misaligned rate and every run's {@link Outcome}, and the smallest fraction each signal separates from 0%.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ContaminationResult(Contamination.Settings settings, String model, List<MonitoredDirection> directions,
                                  List<Fraction> fractions, Smallest smallestFractionSeparated) {
    public static final String FILE = "result.json";

    /** A direction the monitor watched. */
    public record MonitoredDirection(String name, String hook) {
    }

    /**
     * One run ({@code runs/F-S/outcome.json}): the monitor's final value and first alarm step per direction, and the
     * evaluation at the end.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Outcome(double fraction, int seed, Map<String, Double> monitorFinal, Map<String, Integer> firstAlarmStep,
                          Wilson misaligned, Wilson coherent) {
    }

    /** One fraction: the seeds' answers pooled, the runs, and which signals separate it from the clean runs. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Fraction(double fraction, Wilson misaligned, List<Outcome> runs, boolean evaluationSeparates,
                           int evaluationSeparatesSeeds, Map<String, Integer> monitorSeparatesSeeds) {
    }

    /** The smallest fraction each signal separates from 0% (null: none does); the monitor's per direction. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Smallest(Double evaluation, Double evaluationEverySeed, Map<String, Double> monitor) {
    }

    /** Writes {@code OUT/result.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads a sweep's {@code result.json}. */
    public static ContaminationResult read(Path file) {
        return Json.read(file, ContaminationResult.class);
    }
}
