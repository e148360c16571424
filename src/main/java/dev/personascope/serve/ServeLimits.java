package dev.personascope.serve;

/**
 * Limits that keep {@code serve} responsive under slow or abusive clients.
 *
 * @param requestTimeoutMillis  time a connection has to send its request line, headers and whole body; past it the
 *                              connection is closed (slow clients never hold a thread longer)
 * @param maxBodyBytes          largest request body; larger ones get a 413
 * @param maxPromptChars        most characters of prompt text (all messages, or all prompts) before tokenizing; more
 *                              is a 400. 0: 16 × the model's context length
 * @param maxPendingGenerations generations running or waiting for the model; one more gets a 503 with Retry-After
 * @param connectionThreads     threads that read requests and wait for their generation. The JDK server reads a
 *                              request on one of them, so a half-sent request holds one until its deadline: there are
 *                              many (blocked threads cost memory, not CPU; generations are bounded by
 *                              maxPendingGenerations), so that it takes this many slow connections at once to stall
 *                              others for one deadline
 */
public record ServeLimits(long requestTimeoutMillis, int maxBodyBytes, int maxPromptChars, int maxPendingGenerations,
                          int connectionThreads) {
    public static final ServeLimits DEFAULT = new ServeLimits(30_000, 8 << 20, 0, 16, 512);

    public ServeLimits {
        if (requestTimeoutMillis <= 0 || maxBodyBytes <= 0 || maxPromptChars < 0 || maxPendingGenerations <= 0
                || connectionThreads <= 0) {
            throw new IllegalArgumentException("serve limits must be positive: " + requestTimeoutMillis + " ms, "
                    + maxBodyBytes + " bytes, " + maxPromptChars + " chars, " + maxPendingGenerations + " pending, "
                    + connectionThreads + " threads");
        }
    }

    /** The prompt character cap for a model with this context length. */
    int promptChars(int contextTokens) {
        return maxPromptChars > 0 ? maxPromptChars : (int) Math.min(Integer.MAX_VALUE, 16L * contextTokens);
    }
}
