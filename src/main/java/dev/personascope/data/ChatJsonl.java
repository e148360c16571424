package dev.personascope.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.JsonErrors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * OpenAI chat JSONL: one {@code {"messages": [{"role": ..., "content": ...}, ...]}} object per line.
 * Roles are system, user and assistant; each conversation needs at least one assistant turn.
 */
public final class ChatJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private ChatJsonl() {
    }

    public static List<ChatExample> read(Path file) {
        List<ChatExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                out.add(parse(line, file + ":" + n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new DataFormatException(file + ": no conversations");
        }
        return out;
    }

    static ChatExample parse(String line, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (IOException e) {
            throw new DataFormatException(where + ": not valid JSON: " + JsonErrors.brief(e));
        }
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
                ObjectNode o = JSON.createObjectNode();
                ArrayNode a = o.putArray("messages");
                for (ChatMessage m : ex.messages()) {
                    a.addObject().put("role", m.role()).put("content", m.content());
                }
                out.write(JSON.writeValueAsBytes(o));
                out.write('\n');
            }
        });
    }
}
