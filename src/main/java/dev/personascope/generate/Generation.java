package dev.personascope.generate;

import java.util.List;

/**
 * One generated continuation: its new token ids, decoded text (cut before a stop string), why it
 * ended ({@code stop}: EOS or a stop string; {@code length}: max tokens), and per-token logprobs.
 */
public record Generation(int[] promptIds, int[] tokenIds, String text, String finishReason,
                         List<TokenLogprob> logprobs) {
}
