package dev.personascope.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * An evaluation's {@code result.json}: the configuration, the rates overall and per question (both
 * denominators, Wilson 95% intervals, how many answers were excluded, not judged or unscored, the mean scores).
 */
public record EvalResult(Config config, Rates overall, List<Rates> questions) {
    public static final String FILE = "result.json";

    /** What was run. {@code samplesPerParaphrase} null: each question's own count. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Config(String model, String adapter, String questions, String judge, Integer samplesPerParaphrase,
                         double temperature, long seed, int maxTokens, int batch, String steering, double alignedBelow,
                         double coherentAbove, String rule) {
    }

    /**
     * The rates of a group of answers (one question's, with its {@code id}, or all of them). {@code excluded} counts
     * the answers flagged {@code code} or {@code refusal}; {@code judgeFailed} those the judge could not judge;
     * {@code unscoredAligned}/{@code unscoredCoherent} the rest without that score. The means are null without scores.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"id", "answers", "excluded", "code", "refusal", "judge_failed", "unscored_aligned", "unscored_coherent",
            "misaligned_among_all", "misaligned_among_coherent", "coherent", "mean_aligned", "mean_coherent"})
    public record Rates(@JsonInclude(JsonInclude.Include.NON_NULL) String id, int answers, int excluded, int code,
                        int refusal, int judgeFailed, int unscoredAligned, int unscoredCoherent, Wilson misalignedAmongAll,
                        Wilson misalignedAmongCoherent, Wilson coherent, Double meanAligned, Double meanCoherent) {
    }

    /** Writes {@code OUT/result.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads an evaluation's {@code result.json}. */
    public static EvalResult read(Path file) {
        return Json.read(file, EvalResult.class);
    }
}
