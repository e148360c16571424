package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A validated {@code /v1/chat/completions} request body. */
final class ChatRequest {
    static final int MAX_N = 16;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "developer");

    final List<ChatMessage> messages = new ArrayList<>();
    final SamplingParams params;
    final int n;
    final boolean logprobs;

    private ChatRequest(SamplingParams params, int n, boolean logprobs) {
        this.params = params;
        this.n = n;
        this.logprobs = logprobs;
    }

    static ChatRequest parse(JsonNode body, int defaultMaxTokens) {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object", null);
        }
        if (body.path("stream").asBoolean(false)) {
            throw ApiError.badRequest("stream=true is not supported by this server", "stream");
        }
        JsonNode msgs = body.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw ApiError.badRequest("'messages' must be a non-empty array", "messages");
        }
        double temperature = number(body, "temperature", 1.0, 0, 2);
        double topP = number(body, "top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiError.badRequest("'top_p' must be greater than 0", "top_p");
        }
        int maxTokens = (int) number(body, body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens",
                defaultMaxTokens, 1, 1 << 20);
        long seed = body.hasNonNull("seed") ? integer(body, "seed") : System.nanoTime();
        int n = (int) number(body, "n", 1, 1, MAX_N);
        boolean logprobs = body.path("logprobs").asBoolean(false);
        if (body.hasNonNull("logprobs") && !body.get("logprobs").isBoolean()) {
            throw ApiError.badRequest("'logprobs' must be a boolean", "logprobs");
        }
        int topLogprobs = (int) number(body, "top_logprobs", 0, 0, 20);
        if (topLogprobs > 0 && !logprobs) {
            throw ApiError.badRequest("'top_logprobs' requires 'logprobs' to be true", "top_logprobs");
        }
        List<String> stop = new ArrayList<>();
        JsonNode s = body.get("stop");
        if (s != null && !s.isNull()) {
            if (s.isTextual()) {
                stop.add(s.asText());
            } else if (s.isArray() && s.size() <= 4) {
                for (JsonNode x : s) {
                    if (!x.isTextual()) {
                        throw ApiError.badRequest("'stop' must be a string or an array of up to 4 strings", "stop");
                    }
                    stop.add(x.asText());
                }
            } else {
                throw ApiError.badRequest("'stop' must be a string or an array of up to 4 strings", "stop");
            }
        }
        ChatRequest r = new ChatRequest(new SamplingParams(maxTokens, temperature, topP, seed, stop, topLogprobs), n, logprobs);
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw ApiError.badRequest(where + " must be an object with a string 'role'", where + ".role");
            }
            String role = m.get("role").asText();
            if (!ROLES.contains(role)) {
                throw ApiError.badRequest(where + ".role '" + role + "' is not one of system, user, assistant", where + ".role");
            }
            r.messages.add(new ChatMessage(role.equals("developer") ? "system" : role, content(m.get("content"), where)));
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

    private static double number(JsonNode body, String field, double dflt, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw ApiError.badRequest("'" + field + "' must be a number", field);
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw ApiError.badRequest("'" + field + "' must be between " + fmt(min) + " and " + fmt(max) + ", got " + v, field);
        }
        return d;
    }

    private static long integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber()) {
            throw ApiError.badRequest("'" + field + "' must be an integer", field);
        }
        return v.asLong();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
