package dev.personascope.generate;

import java.util.List;

/** The log-probability of a chosen token and of the most likely alternatives at that step. */
public record TokenLogprob(int id, String token, double logprob, List<Alternative> top) {
    public record Alternative(int id, String token, double logprob) {
    }
}
