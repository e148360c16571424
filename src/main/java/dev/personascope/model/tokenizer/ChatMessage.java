package dev.personascope.model.tokenizer;

import java.util.Map;

/** One turn of a chat: role ({@code system}, {@code user}, {@code assistant}) and content. */
public record ChatMessage(String role, String content) {
    public Map<String, Object> asMap() {
        return Map.of("role", role, "content", content);
    }
}
