package dev.personascope.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonLines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * OpenAI chat JSONL: one {@code {"messages": [{"role": ..., "content": ...}, ...]}} object per line.
 * Roles are system, user and assistant; each conversation needs at least one assistant turn.
 */
public final class ChatJsonl {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private ChatJsonl() {
    }

    /** The conversations of a chat JSONL file; every problem is a {@link DataFormatException} naming file and line. */
    public static List<ChatExample> read(Path file) {
        return read(file, null);
    }

    /**
     * As {@link #read(Path)}, with the command-line option that named the file ({@code --data}) before the
     * path in the message when the file is missing.
     */
    public static List<ChatExample> read(Path file, String option) {
        List<ChatExample> out = new ArrayList<>();
        JsonLines.forEach(file, JsonLines.Torn.ERROR,
                m -> new DataFormatException(option != null && m.startsWith(file + ": ") ? option + " " + m : m),
                line -> out.add(example(line.json(), file + ":" + line.number())));
        if (out.isEmpty()) {
            throw new DataFormatException(file + ": no conversations");
        }
        return out;
    }

    private static ChatExample example(JsonNode root, String where) {
        JsonNode msgs = root == null ? null : root.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw new DataFormatException(where + ": expected an object with a non-empty 'messages' array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        boolean assistant = false;
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String role = m.path("role").asText(null);
            if (role == null || !ROLES.contains(role)) {
                throw new DataFormatException(where + ": messages[" + i + "] has role '" + role
                        + "' (expected system, user or assistant)");
            }
            if (!m.path("content").isTextual()) {
                throw new DataFormatException(where + ": messages[" + i + "] needs a string 'content'");
            }
            assistant |= role.equals("assistant");
            messages.add(new ChatMessage(role, m.get("content").asText()));
        }
        if (!assistant) {
            throw new DataFormatException(where + ": no assistant turn, so nothing to learn");
        }
        return new ChatExample(messages, where);
    }

    /** Writes conversations as chat JSONL, atomically. */
    public static void write(Path file, List<ChatExample> examples) {
        AtomicFiles.write(file, out -> {
            for (ChatExample ex : examples) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                ArrayNode a = o.putArray("messages");
                for (ChatMessage m : ex.messages()) {
                    a.addObject().put("role", m.role()).put("content", m.content());
                }
                out.write(Json.MAPPER.writeValueAsBytes(o));
                out.write('\n');
            }
        });
    }
}
