package dev.personascope.persona;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.util.Json;

import java.nio.file.Path;

/**
 * A data screen's {@code result.json}: the run, the number of samples and their mean score, the {@link ScreeningSummary}'s
 * threshold and counts, whether the dataset is flagged, and the AUROC for bad against good when labels are known.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScreenResult(Config config, long seed, int n, double meanScore, Summary summary, boolean flagged,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Double auroc) {
    public static final String FILE = "result.json";

    /** The run; {@code fraction} and {@code size} only when the data was mixed from --bad and --good. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"model", "adapter", "direction", "hook", "data", "labels_from", "bad", "good", "fraction", "size",
            "max_tokens", "temperature", "batch", "seed"})
    public record Config(String model, String adapter, String direction, String hook, String data, String labelsFrom,
                         String bad, String good, @JsonInclude(JsonInclude.Include.NON_NULL) Double fraction,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer size, int maxTokens, double temperature, int batch,
                         long seed) {
    }

    /** The scores' summary; {@code bad} (how many samples are labelled bad) only when labels are known. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Summary(double meanScore, double medianScore, double threshold, String thresholdRule, int above,
                          double fractionAbove, double flagFraction, @JsonInclude(JsonInclude.Include.NON_NULL) Integer bad) {
    }

    public static ScreenResult of(Config config, long seed, ScreeningSummary s) {
        return new ScreenResult(config, seed, s.n(), s.meanScore(), new Summary(s.meanScore(), s.medianScore(), s.threshold(),
                s.thresholdRule(), s.above(), s.fractionAbove(), s.flagFraction(), s.bad()), s.flagged(), s.auroc());
    }

    /** Writes {@code OUT/result.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads a screen's {@code result.json}. */
    public static ScreenResult read(Path file) {
        return Json.read(file, ScreenResult.class);
    }
}
