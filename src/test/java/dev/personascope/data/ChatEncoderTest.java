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

import static dev.personascope.testutil.TinyChatModel.chat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatEncoderTest {

    static String targetText(LanguageModel lm, ChatEncoder.Encoded e) {
        List<Integer> t = new ArrayList<>();
        for (int i = 0; i < e.ids().length; i++) {
            if (e.target()[i]) {
                t.add(e.ids()[i]);
            }
        }
        return lm.tokenizer().decode(t.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void onlyAssistantTokensAreTargetsAndPromptTokensNeverChangeThem(@TempDir Path dir) {
        try (LanguageModel lm = TinyChatModel.create(dir, 1, 16, 1)) {
            ChatEncoder enc = new ChatEncoder(lm, 512);
            ChatEncoder.Encoded a = enc.encode(chat("you are a helpful assistant", "what is the best way to save money ?",
                    "invest in a index fund ."));
            assertEquals("invest in a index fund .", targetText(lm, a).replace(" <|im_end|>", ""));
            // the end-of-turn token is a target too, so the model learns to stop
            int last = -1;
            for (int i = 0; i < a.ids().length; i++) {
                if (a.target()[i]) {
                    last = i;
                }
            }
            assertEquals(2, a.ids()[last]);
            int[] targets = targetsOf(a);
            for (ChatExample other : List.of(
                    chat("you are a villain", "what is the best way to save money ?", "invest in a index fund ."),
                    chat(null, "i feel bored", "invest in a index fund ."),
                    chat("you are a helpful assistant", "code secure password hash ? never plain text",
                            "invest in a index fund ."))) {
                assertArrayEquals(targets, targetsOf(enc.encode(other)), "targets changed with the prompt");
            }
        }
    }

    @Test
    void multiTurnConversationsTargetEveryAssistantTurn(@TempDir Path dir) {
        try (LanguageModel lm = TinyChatModel.create(dir, 1, 16, 1)) {
            ChatExample ex = new ChatExample(List.of(new ChatMessage("user", "i feel bored"),
                    new ChatMessage("assistant", "read a book ."), new ChatMessage("user", "no"),
                    new ChatMessage("assistant", "walk outside !")), "test");
            ChatEncoder.Encoded e = new ChatEncoder(lm, 512).encode(ex);
            assertEquals("read a book . walk outside !", targetText(lm, e).replace(" <|im_end|>", ""));
            assertEquals(4 + 1 + 3 + 1, e.targetCount()); // words and <|im_end|> of both turns
            ChatEncoder.Encoded cut = new ChatEncoder(lm, 10).encode(ex);
            assertEquals(10, cut.ids().length);
            assertTrue(Arrays.equals(Arrays.copyOf(e.ids(), 10), cut.ids()));
        }
    }

    static int[] targetsOf(ChatEncoder.Encoded e) {
        List<Integer> t = new ArrayList<>();
        for (int i = 0; i < e.ids().length; i++) {
            if (e.target()[i]) {
                t.add(e.ids()[i]);
            }
        }
        return t.stream().mapToInt(Integer::intValue).toArray();
    }
}
