package dev.personascope.generate;

import java.util.List;

/**
 * How to pick tokens: temperature 0 is greedy; otherwise softmax(logits / temperature) restricted to
 * the smallest set of tokens whose probability reaches {@code topP} (nucleus sampling). Row b of a
 * batch samples with its own generator seeded by {@code seed + b}, so a row's text does not depend on
 * what else is in the batch.
 */
public record SamplingParams(int maxNewTokens, double temperature, double topP, long seed,
                             List<String> stopStrings, int topLogprobs) {

    public SamplingParams {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw new IllegalArgumentException("top_logprobs must be in 0..20, got " + topLogprobs);
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0, 1, 0, List.of(), 0);
    }

    public SamplingParams withTopLogprobs(int k) {
        return new SamplingParams(maxNewTokens, temperature, topP, seed, stopStrings, k);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(maxNewTokens, temperature, topP, s, stopStrings, topLogprobs);
    }
}
