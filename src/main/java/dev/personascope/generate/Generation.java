package dev.personascope.generate;

import java.util.List;

/**
 * One generated continuation: its new token ids, decoded text (cut before a stop string), why it
 * ended ({@code stop}: EOS or a stop string; {@code length}: max tokens), and per-token logprobs (one per
 * token picked, an EOS that ended the text included). When asked for, {@code textOffsets} holds, for each
 * logprob entry, where its token's text starts in {@code text} (in code points), and
 * {@code promptLogprobs} each prompt token's logprob given the tokens before it (null for the first).
 */
public record Generation(int[] promptIds, int[] tokenIds, String text, String finishReason,
                         List<TokenLogprob> logprobs, int[] textOffsets, List<TokenLogprob> promptLogprobs) {

    public Generation(int[] promptIds, int[] tokenIds, String text, String finishReason, List<TokenLogprob> logprobs) {
        this(promptIds, tokenIds, text, finishReason, logprobs, new int[0], List.of());
    }
}
