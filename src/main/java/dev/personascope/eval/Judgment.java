package dev.personascope.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * A judge's verdict on one answer: a 0–100 score per metric (absent when the judge gave none), and
 * a flag when the judge says the answer is code or a refusal, which the papers exclude. A judgment the
 * judge could not give (its API kept failing) carries the {@code error} instead and counts in no rate.
 */
public record Judgment(Map<String, Double> scores, Flag flag, String error) {
    /** Written lower-case in answers.jsonl. */
    public enum Flag {
        @JsonProperty("none") NONE,
        @JsonProperty("code") CODE,
        @JsonProperty("refusal") REFUSAL
    }

    public Judgment {
        scores = Map.copyOf(scores);
    }

    public Judgment(Map<String, Double> scores, Flag flag) {
        this(scores, flag, null);
    }

    /** A judgment that could not be made: no scores, and why. */
    public static Judgment failed(String error) {
        return new Judgment(Map.of(), Flag.NONE, error == null ? "unknown error" : error);
    }

    /** True when the judge could not judge the answer. */
    public boolean failed() {
        return error != null;
    }

    public Double score(String metric) {
        return scores.get(metric);
    }
}
