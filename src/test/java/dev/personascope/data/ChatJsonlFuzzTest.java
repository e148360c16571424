package dev.personascope.data;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link ChatJsonl#read}, chat training data: any bytes give conversations of system/user/assistant
 * messages with text, each with an assistant turn, or one error line. Seeds: lines of testdata/em.
 */
class ChatJsonlFuzzTest {
    private static final Path FILE = FuzzOutcome.tempDir("chat-jsonl-fuzz").resolve("train.jsonl");
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    // entries are libFuzzer dictionary strings: \\xNN is a byte, \\\\ a backslash
    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"messages\"", "\"role\"", "\"content\"", "\"user\"", "\"assistant\"", "\"system\"",
        "\"tool\"", "\\x0a", "\\x0d\\x0a", "\\\\u0000", "\\\\ud800", "\\xff", "null", "[]", "{}"})
    void read(byte[] data) {
        List<ChatExample> examples = FuzzOutcome.parse(() -> ChatJsonl.read(FuzzOutcome.write(FILE, data)),
                FuzzOutcome.CLI_ERRORS);
        if (examples == null) {
            return;
        }
        assertFalse(examples.isEmpty(), "no conversations accepted");
        for (ChatExample ex : examples) {
            assertFalse(ex.messages().isEmpty(), "empty conversation at " + ex.origin());
            boolean assistant = false;
            for (ChatMessage m : ex.messages()) {
                assertTrue(ROLES.contains(m.role()), "role " + m.role());
                assertNotNull(m.content());
                assistant |= m.role().equals("assistant");
            }
            assertTrue(assistant, "no assistant turn at " + ex.origin());
        }
    }
}
