package dev.personascope.data;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.testutil.TinyChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Text sets: labels beside conversations, the first n, a chat JSONL file as one, and their encoding. */
class TextSetTest {
    static List<ChatExample> conversations(int n) {
        List<ChatExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ChatExample(List.of(new ChatMessage("user", "read a book ?"),
                    new ChatMessage("assistant", i % 2 == 0 ? "save money ." : "walk outside !")), "c" + i));
        }
        return out;
    }

    @Test
    void labelsGoWithTheirConversations() {
        TextSet s = new TextSet(conversations(4), Arrays.asList(true, null, false, null));
        assertTrue(s.labelled());
        TextSet two = s.first(2);
        assertEquals(conversations(4).subList(0, 2), two.conversations());
        assertEquals(Arrays.asList(true, null), two.labels());
        assertFalse(two.labelled(), "no text labelled false");
        assertEquals(4, s.first(10).size());
        assertFalse(TextSet.unlabelled(conversations(3)).labelled());
        assertEquals(Arrays.asList(null, null, null), TextSet.unlabelled(conversations(3)).labels());
        assertEquals("3 conversations and 1 labels", assertThrows(IllegalArgumentException.class,
                () -> new TextSet(conversations(3), List.of(true))).getMessage());
    }

    @Test
    void aChatFileIsAnUnlabelledSetEncodedLikeEachConversation(@TempDir Path dir) {
        Path f = dir.resolve("chat.jsonl");
        ChatJsonl.write(f, conversations(5));
        TextSet s = TextSets.load(f.toString(), "--corpus", 3, 0);
        assertEquals(3, s.size());
        assertEquals(Arrays.asList(null, null, null), s.labels());
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 1, 16, 1)) {
            List<ChatEncoder.Encoded> enc = s.encode(lm, 8);
            ChatEncoder one = new ChatEncoder(lm, 8);
            for (int i = 0; i < 3; i++) {
                ChatEncoder.Encoded e = one.encode(conversations(5).get(i));
                assertArrayEquals(e.ids(), enc.get(i).ids());
                assertArrayEquals(e.target(), enc.get(i).target());
                assertTrue(enc.get(i).ids().length <= 8);
            }
        }
        Path missing = dir.resolve("nowhere.jsonl");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TextSets.load(missing.toString(), "--corpus", 3, 0))
                .getMessage().startsWith("--corpus " + missing + ": no corpus named '" + missing + "' and no such file"));
    }
}
