package dev.personascope.serve;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.tokenizer.HfTokenizer;
import dev.personascope.testutil.FuzzOutcome;
import dev.personascope.testutil.TestData;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the OpenAI request bodies `personascope serve` accepts: any bytes, read as the server reads a body
 * ({@link ChatServer#parseJson}) and validated as /v1/chat/completions ({@link ChatRequest#parse}) and as
 * /v1/completions ({@link CompletionRequest#parse}, with GPT-2's tokenizer), give sampling parameters in their
 * ranges and messages or prompts, or an {@link ApiError} with a 4xx status and a message; never anything
 * else (which the server would answer with a 500).
 */
class RequestBodyFuzzTest {
    private static final String MODEL = "personascope";
    private static final HfTokenizer TOKENIZER = HfTokenizer.load(TestData.TOKENIZERS.resolve("gpt2"));
    private static final int VOCAB = TOKENIZER.vocabSize();

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"model\"", "\"personascope\"", "\"messages\"", "\"role\"", "\"content\"", "\"user\"",
        "\"assistant\"", "\"developer\"", "\"type\"", "\"text\"", "\"prompt\"", "\"max_tokens\"",
        "\"max_completion_tokens\"", "\"temperature\"", "\"top_p\"", "\"n\"", "\"stop\"", "\"seed\"", "\"logprobs\"",
        "\"top_logprobs\"", "\"stream\"", "\"stream_options\"", "\"include_usage\"", "\"presence_penalty\"",
        "\"frequency_penalty\"", "\"logit_bias\"", "\"echo\"", "\"best_of\"", "\"continue_final_message\"",
        "\"add_generation_prompt\"", "\"add_special_tokens\"", "\"tools\"", "\"response_format\"", "\"metadata\"",
        "\"user\"", "-1", "0", "1e308", "-0.0", "2147483648", "9223372036854775808", "NaN", "null", "true", "[]", "{}"})
    void parse(byte[] data) {
        long start = System.nanoTime();
        JsonNode json = refusedAs4xx(() -> ChatServer.parseJson(data));
        if (json == null) {
            return;
        }
        ChatRequest chat = refusedAs4xx(() -> ChatRequest.parse(json, 64, MODEL, VOCAB));
        if (chat != null) {
            checkParams(chat.params);
            assertTrue(chat.n >= 1 && chat.n <= ChatRequest.MAX_N, "n " + chat.n);
            assertFalse(chat.messages.isEmpty(), "no messages");
            chat.messages.forEach(m -> assertNotNull(m.content()));
        }
        CompletionRequest completion = refusedAs4xx(() -> CompletionRequest.parse(json, MODEL, TOKENIZER, VOCAB));
        if (completion != null) {
            checkParams(completion.params);
            assertTrue(completion.n >= 1 && completion.n <= CompletionRequest.MAX_N, "n " + completion.n);
            assertFalse(completion.prompts.isEmpty(), "no prompts");
            assertTrue(completion.prompts.size() * completion.n <= CompletionRequest.MAX_ROWS, "rows");
            for (CompletionRequest.Prompt p : completion.prompts) {
                assertTrue(p.ids().length > 0, "empty prompt");
                for (int id : p.ids()) {
                    assertTrue(id >= 0 && id < VOCAB, "token id " + id);
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis <= FuzzOutcome.MAX_MILLIS, "one body took " + millis + " ms");
    }

    private static <T> T refusedAs4xx(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (ApiError e) {
            assertTrue(e.status >= 400 && e.status < 500, "status " + e.status);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "refused without a message");
            return null;
        }
    }

    private static void checkParams(SamplingParams p) {
        assertTrue(p.maxNewTokens() >= 0 && p.maxNewTokens() <= 1 << 20, "max tokens " + p.maxNewTokens());
        assertTrue(p.temperature() >= 0 && p.temperature() <= 2, "temperature " + p.temperature());
        assertTrue(p.topP() > 0 && p.topP() <= 1, "top_p " + p.topP());
        assertTrue(p.topLogprobs() >= 0 && p.topLogprobs() <= 20, "top_logprobs " + p.topLogprobs());
        p.logitBias().forEach((id, b) -> assertTrue(id >= 0 && id < VOCAB && b >= -100 && b <= 100,
                "logit bias " + id + " -> " + b));
        p.stopStrings().forEach(s -> assertFalse(s.isEmpty(), "empty stop string"));
    }
}
