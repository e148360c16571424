package dev.personascope.data;

import dev.personascope.model.tokenizer.ChatMessage;

import java.util.List;

/** One conversation for training, with where it came from ({@code file:line}). */
public record ChatExample(List<ChatMessage> messages, String origin) {
    public ChatExample {
        messages = List.copyOf(messages);
    }
}
