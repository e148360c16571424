package dev.personascope.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.eval.Wilson;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * The re-alignment experiment's {@code result.json}: the settings, the model, each run's curve, and the model's rates
 * before re-alignment ({@code start}).
 */
public record RealignmentResult(Realignment.Settings settings, String model, String adapter, List<Run> runs,
                                CurvePoint start) {
    public static final String FILE = "result.json";

    /** One evaluation along a run (a run's {@code curve.json} is a list of them). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CurvePoint(int step, int examplesSeen, Wilson misaligned, Wilson coherent) {
    }

    /** One run: correct data from {@code source}, {@code samples} of them; -1: never on target. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Run(String source, int samples, List<CurvePoint> curve, int firstStepOnTarget) {
    }

    /** Writes {@code OUT/result.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads the experiment's {@code result.json}. */
    public static RealignmentResult read(Path file) {
        return Json.read(file, RealignmentResult.class);
    }
}
