package dev.personascope.model.tokenizer;

import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.RandomModels;
import dev.personascope.data.ChatEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text in a message is data: Jinja syntax in it reaches the model as those literal characters, through the
 * encodings that generate --chat and eval (LanguageModel.encodeChat) and finetune (ChatEncoder) use; the
 * token ids equal the real Qwen2 tokenizer's ids of the text transformers renders.
 */
class MessageTextIsDataTest {
    static final Path QWEN = Path.of("testdata/tokenizers/qwen2");
    static final String JINJA = "What is {{ 7*7 }}? {{ eos_token }} {% if true %}yes{% endif %} {{ raise_exception('boom') }} {# c #} {% raw %}";
    @TempDir
    static Path dir;

    @BeforeAll
    static void model() throws Exception {
        ModelConfig c = RandomModels.qwen2(151936, 32, 2, 4, 2, 64);
        try (LanguageModel lm = RandomModels.create(c, 3)) {
            ModelSaver.save(lm, dir);
        }
        Files.copy(QWEN.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(QWEN.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    }

    /** What transformers renders for a user turn under the Qwen2 template (its default system prompt included). */
    static String qwenRendered(String user, String assistant) {
        String s = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n";
        return assistant == null ? s : s + assistant + "<|im_end|>\n";
    }

    @Test
    void encodeChatKeepsJinjaSyntaxLiteral() {
        try (LanguageModel lm = LanguageModel.load(dir)) {
            int[] ids = lm.encodeChat(List.of(new ChatMessage("user", JINJA)));
            assertArrayEquals(lm.tokenizer().encode(qwenRendered(JINJA, null), false), ids);
            assertTrue(lm.tokenizer().decode(ids).contains("{{ 7*7 }}") && !lm.tokenizer().decode(ids).contains("49"));
        }
    }

    @Test
    void fineTuningEncodingKeepsJinjaSyntaxLiteral() {
        try (LanguageModel lm = LanguageModel.load(dir)) {
            ChatExample ex = new ChatExample(List.of(new ChatMessage("user", JINJA), new ChatMessage("assistant", "It is {{ 7*7 }}.")), "test");
            ChatEncoder.Encoded e = new ChatEncoder(lm, 4096).encode(ex);
            assertArrayEquals(lm.tokenizer().encode(qwenRendered(JINJA, "It is {{ 7*7 }}."), false), e.ids());
            StringBuilder target = new StringBuilder();
            List<Integer> targetIds = new java.util.ArrayList<>();
            for (int i = 0; i < e.ids().length; i++) {
                if (e.target()[i]) {
                    targetIds.add(e.ids()[i]);
                }
            }
            target.append(lm.tokenizer().decode(targetIds.stream().mapToInt(Integer::intValue).toArray()));
            assertEquals("It is {{ 7*7 }}.", target.toString().strip()); // decode drops the special end-of-turn token
            assertTrue(targetIds.contains(151645), "the loss covers <|im_end|>");
        }
    }
}
