package dev.personascope.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.eval.Wilson;
import dev.personascope.experiment.ContaminationResult;
import dev.personascope.experiment.RealignmentResult;
import dev.personascope.persona.SteerResult;
import dev.personascope.persona.VectorInfo;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The demo's {@code result.json}: its headline numbers, one field per stage, with the sizes it ran at and each
 * stage's seconds.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DemoResult(boolean quick, long seed, DemoSizes sizes, Map<String, Double> stageSeconds,
                         Map<String, ModelRates> misalignment, Map<String, MonitorSummary> monitor, DiffSummary diff,
                         LatentSummary latent, List<SteerResult.Point> steeringVector, List<SteerResult.Point> steeringLatent,
                         List<SteerResult.Point> suppressVector, List<SteerResult.Point> ablate,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<VectorInfo.Cosine> misalignedVectorCosines,
                         ContaminationResult.Smallest contamination, List<RealignmentResult.Run> realignment) {
    public static final String FILE = "result.json";

    /** One evaluated model: misaligned among all answers, and coherent. */
    public record ModelRates(Wilson misaligned, Wilson coherent) {
    }

    /** The monitor during one fine-tune: its first alarm (null: none) and its last values. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MonitorSummary(@JsonInclude(JsonInclude.Include.ALWAYS) Integer firstAlarmStep, Map<String, Double> last) {
    }

    /**
     * The persona latent, the scope and ranking it was found under (the diff's defaults), its rank under every scope and
     * ranking ("start/shift": null when below the ranks diff.json lists), and the default table's top ten rows.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DiffSummary(int personaLatent, String scope, String ranking, Map<String, Integer> ranks,
                              List<List<String>> top10) {
    }

    /** The persona latent's AUROC (NaN: not measured) and how often it fires. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LatentSummary(int latent, double auroc, double firingFraction) {
    }

    /** Writes {@code OUT/result.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads a demo's {@code result.json}. */
    public static DemoResult read(Path file) {
        return Json.read(file, DemoResult.class);
    }
}
