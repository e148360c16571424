package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** A validated {@code /v1/chat/completions} request body. */
final class ChatRequest {
    static final int MAX_N = 16;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "developer");
    static final Set<String> IMPLEMENTED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "n", "stop", "seed", "logprobs", "top_logprobs", "stream", "stream_options",
            "presence_penalty", "frequency_penalty", "logit_bias", "continue_final_message", "add_generation_prompt");
    /** OpenAI fields this server does not implement, with the values that ask for nothing (accepted). */
    static final Map<String, Predicate<JsonNode>> NEUTRAL = Map.ofEntries(
            Map.entry("tools", v -> v.isArray() && v.isEmpty()),
            Map.entry("tool_choice", v -> v.isTextual() && v.asText().equals("none")),
            Map.entry("parallel_tool_calls", v -> false),
            Map.entry("functions", v -> v.isArray() && v.isEmpty()),
            Map.entry("function_call", v -> v.isTextual() && v.asText().equals("none")),
            Map.entry("response_format", v -> v.isObject() && v.size() == 1 && "text".equals(v.path("type").asText())),
            Map.entry("modalities", v -> v.isArray() && v.size() == 1 && "text".equals(v.get(0).asText())),
            Map.entry("audio", v -> false),
            Map.entry("prediction", v -> false),
            Map.entry("reasoning_effort", v -> false),
            Map.entry("verbosity", v -> false),
            Map.entry("web_search_options", v -> false),
            Map.entry("top_k", v -> false),
            Map.entry("min_p", v -> false),
            Map.entry("repetition_penalty", v -> false),
            Map.entry("echo", v -> v.isBoolean() && !v.asBoolean()),
            Map.entry("best_of", v -> v.isIntegralNumber() && v.asInt() == 1));

    final List<ChatMessage> messages = new ArrayList<>();
    final SamplingParams params;
    final int n;
    final boolean logprobs;
    final RequestFields.StreamOptions stream;
    /** Continue the final (assistant) message instead of opening a new assistant turn. */
    final boolean continueFinalMessage;
    final boolean addGenerationPrompt;

    private ChatRequest(SamplingParams params, int n, boolean logprobs, RequestFields.StreamOptions stream,
                        boolean continueFinalMessage, boolean addGenerationPrompt) {
        this.params = params;
        this.n = n;
        this.logprobs = logprobs;
        this.stream = stream;
        this.continueFinalMessage = continueFinalMessage;
        this.addGenerationPrompt = addGenerationPrompt;
    }

    static ChatRequest parse(JsonNode json, int defaultMaxTokens, String servedModel, int vocabSize) {
        RequestFields body = new RequestFields(json);
        body.checkModel(servedModel);
        body.check(IMPLEMENTED, NEUTRAL, "/v1/chat/completions");
        JsonNode msgs = json.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw ApiError.badRequest("'messages' must be a non-empty array", "messages");
        }
        double temperature = body.number("temperature", 1.0, 0, 2);
        double topP = body.number("top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiError.badRequest("'top_p' must be greater than 0", "top_p");
        }
        String maxField = body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = body.integer(maxField, defaultMaxTokens, 1, 1 << 20);
        long seed = body.seed();
        int n = body.integer("n", 1, 1, MAX_N);
        boolean logprobs = body.bool("logprobs", false);
        int topLogprobs = body.integer("top_logprobs", 0, 0, 20);
        if (topLogprobs > 0 && !logprobs) {
            throw ApiError.badRequest("'top_logprobs' requires 'logprobs' to be true", "top_logprobs");
        }
        double presence = body.number("presence_penalty", 0, -2, 2);
        double frequency = body.number("frequency_penalty", 0, -2, 2);
        SamplingParams params = new SamplingParams(maxTokens, temperature, topP, seed, body.stop(), topLogprobs,
                presence, frequency, body.logitBias(vocabSize));
        boolean continueFinal = body.bool("continue_final_message", false);
        boolean addGenerationPrompt = body.bool("add_generation_prompt", !continueFinal);
        if (continueFinal && addGenerationPrompt) {
            throw ApiError.badRequest("'continue_final_message' and 'add_generation_prompt' cannot both be true",
                    "continue_final_message");
        }
        ChatRequest r = new ChatRequest(params, n, logprobs, body.stream(), continueFinal, addGenerationPrompt);
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw ApiError.badRequest(where + " must be an object with a string 'role'", where + ".role");
            }
            String role = m.get("role").asText();
            if (!ROLES.contains(role)) {
                throw ApiError.badRequest(where + ".role '" + role + "' is not one of system, developer, user, assistant",
                        where + ".role");
            }
            java.util.Iterator<String> names = m.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (!f.equals("role") && !f.equals("content") && !m.get(f).isNull()) {
                    throw ApiError.unsupported(where + "." + f, where + "." + f + " is not supported by this server"
                            + " (messages carry a role and text content)");
                }
            }
            r.messages.add(new ChatMessage(role.equals("developer") ? "system" : role, content(m.get("content"), where)));
        }
        if (continueFinal && !r.messages.get(r.messages.size() - 1).role().equals("assistant")) {
            throw ApiError.badRequest("'continue_final_message' needs the last message to be an assistant message",
                    "continue_final_message");
        }
        return r;
    }

    /** Content is a string or an array of {type: "text", text} parts. */
    private static String content(JsonNode c, String where) {
        if (c != null && c.isTextual()) {
            return c.asText();
        }
        if (c != null && c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.badRequest(where + ".content: only text parts are supported", where + ".content");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiError.badRequest(where + ".content must be a string or an array of text parts", where + ".content");
    }
}
