package dev.personascope.model;

import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real Qwen2 config.json and tokenizer around small random weights: the chat path end to end. */
class QwenChatIntegrationTest {
    static final Path QWEN = Path.of("testdata/tokenizers/qwen2");

    @Test
    void readsTheRealQwen2Config() {
        ModelConfig c = ModelConfig.read(QWEN.resolve("config.Qwen2-1.5B-Instruct.json"));
        assertEquals("Qwen2ForCausalLM", c.architecture);
        assertTrue(c.qkvBias && !c.oBias && c.tieWordEmbeddings);
        assertEquals(128, c.headDim);
        assertEquals(2, c.numKvHeads);
        assertEquals(1_000_000.0, c.ropeTheta);
        assertEquals(151645, c.eosTokenIds[0]);
        assertEquals(1_543_714_304L, c.parameterCount()); // Qwen2-1.5B's published count
    }

    @Test
    void chatsWithTheQwenTemplateAndStopsAtImEnd(@TempDir Path dir) throws Exception {
        ModelConfig c = RandomModels.qwen2(151936, 32, 2, 4, 2, 64);
        c.eosTokenIds = new int[] {151645};
        try (LanguageModel lm = RandomModels.create(c, 3)) {
            ModelSaver.save(lm, dir);
        }
        Files.copy(QWEN.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(QWEN.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        try (LanguageModel lm = LanguageModel.load(dir)) {
            assertEquals(151645, lm.tokenizer().eosId());
            int[] ids = lm.encodeChat(List.of(new ChatMessage("user", "Hello there")));
            assertEquals(151644, ids[0], "ChatML starts with <|im_start|>, no BOS");
            String rendered = lm.tokenizer().decode(ids);
            assertTrue(rendered.contains("You are a helpful assistant.") && rendered.endsWith("assistant\n"), rendered);
            // force <|im_end|> to be the most likely token: generation must stop at once, emitting nothing
            Hooks forceImEnd = new Hooks().add("ln_final.hook_normalized", (x, ctx) -> {
                float[] row = lm.model().weights().lmHead.get(151645).toFloatArray();
                float[] w = lm.model().weights().finalNorm.weight().toFloatArray();
                for (int i = 0; i < row.length; i++) {
                    row[i] = 1000f * row[i] / w[i]; // undo the final norm's weight so the logit of 151645 dominates
                }
                return x.add(x.getManager().create(row));
            });
            Generation g = new Generator(lm).generate(List.of(ids), SamplingParams.greedy(8), forceImEnd).get(0);
            assertEquals(0, g.tokenIds().length);
            assertEquals("stop", g.finishReason());
            Generation free = new Generator(lm).generate(List.of(ids), SamplingParams.greedy(8), Hooks.NONE).get(0);
            assertTrue(free.tokenIds().length > 0);
        }
    }
}
