package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reading and checking the fields of a request body, shared by both endpoints. Every field must be
 * one the endpoint implements, harmless metadata (accepted and not used), or a known OpenAI field
 * whose value asks for nothing (e.g. {@code "tools": []}); anything else is a 400 naming the field.
 */
final class RequestFields {
    /** Accepted and not used: they only label the request (OpenAI stores nothing either unless asked). */
    static final Set<String> METADATA = Set.of("user", "metadata", "store", "service_tier", "prompt_cache_key",
            "safety_identifier");

    private final JsonNode body;

    RequestFields(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object", null);
        }
        this.body = body;
    }

    JsonNode body() {
        return body;
    }

    /**
     * Fails on the first field that is neither implemented, metadata, nor an unsupported field with a
     * value that asks for nothing ({@code neutral}); null values always pass.
     */
    void check(Set<String> implemented, Map<String, Predicate<JsonNode>> neutral, String endpoint) {
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (implemented.contains(name)) {
                continue;
            }
            if (METADATA.contains(name)) {
                checkMetadata(name, v);
                continue;
            }
            if (neutral.containsKey(name)) {
                if (v.isNull() || neutral.get(name).test(v)) {
                    continue;
                }
                throw ApiError.unsupported(name, "'" + name + "' is not supported by this server (" + endpoint
                        + " implements plain text generation only)");
            }
            throw ApiError.unknown(name);
        }
    }

    private static void checkMetadata(String name, JsonNode v) {
        if (v.isNull()) {
            return;
        }
        boolean ok = switch (name) {
            case "store" -> v.isBoolean();
            case "metadata" -> v.isObject();
            default -> v.isTextual();
        };
        if (!ok) {
            throw ApiError.badRequest("'" + name + "' must be " + switch (name) {
                case "store" -> "a boolean";
                case "metadata" -> "an object";
                default -> "a string";
            }, name);
        }
    }

    /** The request's model: absent or null (this server's model), or exactly the served model's id; else 404. */
    void checkModel(String served) {
        JsonNode m = body.get("model");
        if (m == null || m.isNull()) {
            return;
        }
        if (!m.isTextual()) {
            throw ApiError.badRequest("'model' must be a string", "model");
        }
        if (!m.asText().equals(served)) {
            throw ApiError.modelNotFound(m.asText());
        }
    }

    boolean has(String field) {
        return body.hasNonNull(field);
    }

    double number(String field, double dflt, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw ApiError.badRequest("'" + field + "' must be a number", field);
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw ApiError.badRequest("'" + field + "' must be between " + fmt(min) + " and " + fmt(max) + ", got " + v, field);
        }
        return d;
    }

    int integer(String field, int dflt, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw ApiError.badRequest("'" + field + "' must be an integer", field);
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw ApiError.badRequest("'" + field + "' must be between " + min + " and " + max + ", got " + v, field);
        }
        return (int) d;
    }

    /** The seed (any 64-bit integer), or the clock when absent. */
    long seed() {
        JsonNode v = body.get("seed");
        if (v == null || v.isNull()) {
            return System.nanoTime();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.badRequest("'seed' must be an integer", "seed");
        }
        return v.asLong();
    }

    boolean bool(String field, boolean dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest("'" + field + "' must be a boolean", field);
        }
        return v.asBoolean();
    }

    /** {@code stop}: a non-empty string or an array of up to 4 of them. */
    List<String> stop() {
        List<String> stop = new ArrayList<>();
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) {
            return stop;
        }
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
        if (stop.contains("")) {
            // every text contains "": it would end each answer before its first token (found by RequestBodyFuzzTest)
            throw ApiError.badRequest("'stop' strings must not be empty", "stop");
        }
        return stop;
    }

    /** {@code logit_bias}: token id (as a string) to a bias in [-100, 100]; ids must be in the vocabulary. */
    Map<Integer, Double> logitBias(int vocabSize) {
        Map<Integer, Double> out = new HashMap<>();
        JsonNode b = body.get("logit_bias");
        if (b == null || b.isNull()) {
            return out;
        }
        if (!b.isObject()) {
            throw ApiError.badRequest("'logit_bias' must be an object mapping token ids to numbers", "logit_bias");
        }
        Iterator<Map.Entry<String, JsonNode>> it = b.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException x) {
                throw ApiError.badRequest("Invalid key in 'logit_bias': '" + e.getKey() + "' is not a token id", "logit_bias");
            }
            if (id < 0 || id >= vocabSize) {
                throw ApiError.badRequest("Invalid key in 'logit_bias': token id " + id + " is outside the vocabulary (0.."
                        + (vocabSize - 1) + ")", "logit_bias");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -100 && v.asDouble() <= 100)) {
                throw ApiError.badRequest("Invalid value in 'logit_bias' for token " + id + ": must be a number between -100 and 100",
                        "logit_bias");
            }
            out.put(id, v.asDouble());
        }
        return out;
    }

    /** {@code stream} and {@code stream_options} (only with stream): whether to add a usage chunk. */
    StreamOptions stream() {
        boolean stream = bool("stream", false);
        JsonNode o = body.get("stream_options");
        if (o == null || o.isNull()) {
            return new StreamOptions(stream, false, false);
        }
        if (!stream) {
            throw ApiError.badRequest("'stream_options' is only allowed when 'stream' is true", "stream_options");
        }
        if (!o.isObject()) {
            throw ApiError.badRequest("'stream_options' must be an object", "stream_options");
        }
        boolean usage = false;
        boolean obfuscation = false;
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isNull() && !v.isBoolean()) {
                throw ApiError.badRequest("'stream_options." + e.getKey() + "' must be a boolean", "stream_options." + e.getKey());
            }
            switch (e.getKey()) {
                case "include_usage" -> usage = v.asBoolean(false);
                case "include_obfuscation" -> obfuscation = v.asBoolean(false);
                default -> throw ApiError.unknown("stream_options." + e.getKey());
            }
        }
        return new StreamOptions(true, usage, obfuscation);
    }

    record StreamOptions(boolean stream, boolean includeUsage, boolean obfuscation) {
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
