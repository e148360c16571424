package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** A validated {@code /v1/completions} request body (OpenAI's legacy completions). */
final class CompletionRequest {
    static final int MAX_N = 16;
    static final int MAX_ROWS = 64;
    static final int DEFAULT_MAX_TOKENS = 16; // OpenAI's default for this endpoint
    static final Set<String> IMPLEMENTED = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "n", "stop",
            "seed", "logprobs", "echo", "stream", "stream_options", "presence_penalty", "frequency_penalty",
            "logit_bias", "add_special_tokens", "best_of");
    static final Map<String, Predicate<JsonNode>> NEUTRAL = Map.of(
            "suffix", v -> v.isTextual() && v.asText().isEmpty(),
            "top_k", v -> false,
            "min_p", v -> false,
            "repetition_penalty", v -> false);

    /** One prompt: its ids, and its text when it was given as a string. */
    record Prompt(String text, int[] ids) {
    }

    final List<Prompt> prompts = new ArrayList<>();
    final SamplingParams params;
    final int n;
    /** -1: no logprobs; k >= 0: each token's logprob and the top k. */
    final int logprobs;
    final boolean echo;
    final RequestFields.StreamOptions stream;

    private CompletionRequest(SamplingParams params, int n, int logprobs, boolean echo, RequestFields.StreamOptions stream) {
        this.params = params;
        this.n = n;
        this.logprobs = logprobs;
        this.echo = echo;
        this.stream = stream;
    }

    static CompletionRequest parse(JsonNode json, String servedModel, TextTokenizer tok, int vocabSize) {
        RequestFields body = new RequestFields(json);
        body.checkModel(servedModel);
        body.check(IMPLEMENTED, NEUTRAL, "/v1/completions");
        int n = body.integer("n", 1, 1, MAX_N);
        JsonNode bestOf = json.get("best_of");
        if (bestOf != null && !bestOf.isNull() && !(bestOf.isIntegralNumber() && bestOf.asInt() == n)) {
            throw ApiError.unsupported("best_of", "'best_of' other than n is not supported by this server"
                    + " (it would rank completions by their total logprob)");
        }
        double temperature = body.number("temperature", 1.0, 0, 2);
        double topP = body.number("top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiError.badRequest("'top_p' must be greater than 0", "top_p");
        }
        int maxTokens = body.integer("max_tokens", DEFAULT_MAX_TOKENS, 0, 1 << 20);
        long seed = body.seed();
        int logprobs = body.integer("logprobs", -1, 0, 20);
        boolean echo = body.bool("echo", false);
        double presence = body.number("presence_penalty", 0, -2, 2);
        double frequency = body.number("frequency_penalty", 0, -2, 2);
        SamplingParams params = new SamplingParams(maxTokens, temperature, topP, seed, body.stop(), Math.max(0, logprobs),
                presence, frequency, body.logitBias(vocabSize));
        CompletionRequest r = new CompletionRequest(params, n, logprobs, echo, body.stream());
        boolean addSpecial = body.bool("add_special_tokens", true);
        r.readPrompts(json.get("prompt"), tok, addSpecial, vocabSize);
        if (r.prompts.size() * n > MAX_ROWS) {
            throw ApiError.badRequest(r.prompts.size() + " prompts times n=" + n + " is more than the " + MAX_ROWS
                    + " completions one request may ask for", "n");
        }
        return r;
    }

    /** A string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    private void readPrompts(JsonNode p, TextTokenizer tok, boolean addSpecial, int vocabSize) {
        String shape = "'prompt' must be a string, an array of strings, an array of token ids or an array of arrays of token ids";
        if (p == null || p.isNull()) {
            throw ApiError.badRequest("'prompt' is required", "prompt");
        }
        if (p.isTextual()) {
            addText(p.asText(), tok, addSpecial, "prompt");
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isTextual()) {
            for (int i = 0; i < p.size(); i++) {
                if (!p.get(i).isTextual()) {
                    throw ApiError.badRequest(shape, "prompt");
                }
                addText(p.get(i).asText(), tok, addSpecial, "prompt[" + i + "]");
            }
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isNumber()) {
            prompts.add(new Prompt(null, ids(p, vocabSize, "prompt")));
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isArray()) {
            for (int i = 0; i < p.size(); i++) {
                if (!p.get(i).isArray()) {
                    throw ApiError.badRequest(shape, "prompt");
                }
                prompts.add(new Prompt(null, ids(p.get(i), vocabSize, "prompt[" + i + "]")));
            }
        } else {
            throw ApiError.badRequest(p.isArray() && p.isEmpty() ? "'prompt' must not be empty" : shape, "prompt");
        }
    }

    private void addText(String text, TextTokenizer tok, boolean addSpecial, String where) {
        int[] ids = tok.encode(text, addSpecial);
        if (ids.length == 0) {
            throw ApiError.badRequest("'" + where + "' is empty: it encodes to no tokens", "prompt");
        }
        prompts.add(new Prompt(text, ids));
    }

    private static int[] ids(JsonNode a, int vocabSize, String where) {
        if (a.isEmpty()) {
            throw ApiError.badRequest("'" + where + "' is an empty list of token ids", "prompt");
        }
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() >= vocabSize) {
                throw ApiError.badRequest("'" + where + "[" + i + "]' must be a token id in 0.." + (vocabSize - 1)
                        + ", got " + v, "prompt");
            }
            ids[i] = v.asInt();
        }
        return ids;
    }
}
