package dev.personascope.eval;

import java.util.Map;

/**
 * A judge's verdict on one answer: a 0–100 score per metric (absent when the judge gave none), and
 * a flag when the judge says the answer is code or a refusal, which the papers exclude.
 */
public record Judgment(Map<String, Double> scores, Flag flag) {
    public enum Flag { NONE, CODE, REFUSAL }

    public Judgment {
        scores = Map.copyOf(scores);
    }

    public Double score(String metric) {
        return scores.get(metric);
    }
}
