package dev.personascope.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How {@link OpenAiJudge} reads a 0–100 score from the judge's logprobs.
 *
 * <ul>
 *   <li>{@link #TOKENS}: the papers' method, one token: the top-20 tokens that are integers 0–100. Right for judges
 *       whose vocabulary has a token per number (GPT-4o, Llama 3); a digit-by-digit tokenizer (Qwen2.5, Mistral,
 *       Llama 2) only shows the first digit.</li>
 *   <li>{@link #DIGITS}: the whole number, digit by digit: the first token, then for each likely number prefix the
 *       next token after an assistant message holding that prefix ({@code continue_final_message}), until every
 *       number 0–100 is reached. Needs a server that continues a final assistant message (vLLM,
 *       {@code personascope serve}); OpenAI's API refuses the field.</li>
 *   <li>{@link #AUTO}: per prompt, {@link #TOKENS} when a top-20 token of the first answer is an integer of two or
 *       more digits (the vocabulary has whole-number tokens, which a digit-splitting tokenizer never produces),
 *       {@link #DIGITS} otherwise.</li>
 * </ul>
 */
public enum JudgeScoring {
    TOKENS, DIGITS, AUTO;

    /** The lower-case name, as the command line spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JudgeScoring parse(String s) {
        for (JudgeScoring m : values()) {
            if (m.label().equals(s == null ? "" : s.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown judge scoring '" + s + "' (available: "
                + Arrays.stream(values()).map(JudgeScoring::label).collect(Collectors.joining(", ")) + ")");
    }
}
