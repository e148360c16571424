package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.Sampler;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.testutil.StoriesChatModel;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request parameters over raw HTTP: the 404 for another model, 400 for what is not implemented,
 * penalties and logit_bias, echo with logprobs, continue_final_message, and special-token text in
 * messages reaching the model as plain-text ids.
 */
class OpenAiParametersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String USER_X = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

    @TempDir
    static Path dir;
    static LanguageModel lm;
    static ChatServer server;
    static LanguageModel qwen;
    static ChatServer guarded;
    static ChatServer trusting;

    @BeforeAll
    static void start() throws Exception {
        lm = LanguageModel.load(StoriesChatModel.write(dir.resolve("stories")));
        server = new ChatServer(lm, "stories260K", "127.0.0.1", 0, () -> Hooks.NONE);
        server.start();
        qwen = LanguageModel.load(ChatPromptEncoderTest.qwenFolder(dir.resolve("qwen")));
        guarded = new ChatServer(qwen, "qwen", "127.0.0.1", 0, () -> Hooks.NONE);
        guarded.start();
        trusting = new ChatServer(qwen, "qwen", "127.0.0.1", 0, () -> Hooks.NONE, true);
        trusting.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        guarded.close();
        trusting.close();
        lm.close();
        qwen.close();
    }

    static HttpResponse<String> send(ChatServer s, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode post(ChatServer s, String path, String body, int status) throws Exception {
        HttpResponse<String> r = send(s, path, body);
        assertEquals(status, r.statusCode(), body + " -> " + r.body());
        return JSON.readTree(r.body());
    }

    static JsonNode chat(String body) throws Exception {
        return post(server, "/chat/completions", body, 200);
    }

    static JsonNode complete(String body) throws Exception {
        return post(server, "/completions", body, 200);
    }

    static void rejected(String path, String body, String param, String fragment) throws Exception {
        JsonNode e = post(server, path, body, 400).path("error");
        assertEquals("invalid_request_error", e.path("type").asText());
        assertEquals(param, e.path("param").asText(), e.toString());
        assertTrue(e.path("message").asText().contains(fragment), e.toString());
    }

    @Test
    void anotherModelIsNotFound() throws Exception {
        for (String path : List.of("/chat/completions", "/completions")) {
            String body = path.equals("/completions") ? "{\"model\":\"gpt-4o\",\"prompt\":\"x\"}" : "{\"model\":\"gpt-4o\"," + USER_X + "}";
            JsonNode e = post(server, path, body, 404).path("error");
            assertEquals("model_not_found", e.path("code").asText());
            assertEquals("invalid_request_error", e.path("type").asText());
            assertTrue(e.path("message").asText().contains("`gpt-4o` does not exist"), e.toString());
        }
        assertEquals(400, send(server, "/chat/completions", "{\"model\":7," + USER_X + "}").statusCode());
        // the served id, or no model at all, is fine
        chat("{\"model\":\"stories260K\"," + USER_X + ",\"max_tokens\":1}");
        chat("{" + USER_X + ",\"max_tokens\":1}");
    }

    @Test
    void whatIsNotImplementedIsA400NamingTheParameter() throws Exception {
        String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]";
        rejected("/chat/completions", "{" + USER_X + ",\"tools\":" + tools + "}", "tools", "'tools' is not supported");
        rejected("/chat/completions", "{" + USER_X + ",\"tool_choice\":\"auto\"}", "tool_choice", "tool_choice");
        rejected("/chat/completions", "{" + USER_X + ",\"functions\":" + tools + "}", "functions", "functions");
        rejected("/chat/completions", "{" + USER_X + ",\"response_format\":{\"type\":\"json_object\"}}", "response_format",
                "response_format");
        rejected("/chat/completions", "{" + USER_X + ",\"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}}", "audio", "audio");
        rejected("/chat/completions", "{" + USER_X + ",\"modalities\":[\"text\",\"audio\"]}", "modalities", "modalities");
        rejected("/chat/completions", "{" + USER_X + ",\"reasoning_effort\":\"low\"}", "reasoning_effort", "reasoning_effort");
        rejected("/chat/completions", "{" + USER_X + ",\"frobnicate\":1}", "frobnicate", "Unrecognized request argument");
        rejected("/chat/completions", "{" + USER_X + ",\"stream_options\":{\"include_usage\":true}}", "stream_options",
                "only allowed when 'stream' is true");
        rejected("/chat/completions", "{\"messages\":[{\"role\":\"assistant\",\"content\":\"x\",\"tool_calls\":[{}]}]}",
                "messages[0].tool_calls", "not supported");
        rejected("/chat/completions", "{" + USER_X + ",\"logit_bias\":{\"9999\":5}}", "logit_bias", "outside the vocabulary");
        rejected("/chat/completions", "{" + USER_X + ",\"logit_bias\":{\"5\":500}}", "logit_bias", "between -100 and 100");
        rejected("/chat/completions", "{" + USER_X + ",\"presence_penalty\":3}", "presence_penalty", "between -2 and 2");
        rejected("/completions", "{\"prompt\":\"x\",\"best_of\":3}", "best_of", "best_of");
        rejected("/completions", "{\"prompt\":\"x\",\"suffix\":\"end\"}", "suffix", "suffix");
        rejected("/completions", "{\"prompt\":\"x\",\"logprobs\":true}", "logprobs", "'logprobs' must be an integer");
        rejected("/completions", "{\"prompt\":[]}", "prompt", "must not be empty");
        rejected("/completions", "{\"prompt\":[1, 99999]}", "prompt", "token id");
        rejected("/completions", "{}", "prompt", "'prompt' is required");
        // harmless metadata and values that ask for nothing are accepted
        chat("{" + USER_X + ",\"max_tokens\":1,\"user\":\"u1\",\"metadata\":{\"k\":\"v\"},\"store\":false,\"tools\":[],"
                + "\"tool_choice\":\"none\",\"response_format\":{\"type\":\"text\"},\"modalities\":[\"text\"],\"audio\":null}");
        complete("{\"prompt\":\"x\",\"max_tokens\":1,\"user\":\"u1\",\"best_of\":1,\"suffix\":null}");
    }

    @Test
    void frequencyPenaltyAndLogitBiasShapeTheText() throws Exception {
        int[] prompt = lm.tokenizer().encode("Once upon a time", true);
        Generator gen = new Generator(lm);
        SamplingParams penalised = SamplingParams.greedy(60).withPenalties(0.5, 2.0);
        String expected = gen.generate(List.of(prompt), penalised, Hooks.NONE).get(0).text();
        String greedy = gen.generate(List.of(prompt), SamplingParams.greedy(60), Hooks.NONE).get(0).text();
        JsonNode r = complete("{\"prompt\":\"Once upon a time\",\"max_tokens\":60,\"temperature\":0,"
                + "\"frequency_penalty\":2.0,\"presence_penalty\":0.5}");
        assertEquals(expected, r.path("choices").get(0).path("text").asText());
        assertNotEquals(greedy, expected);
        assertTrue(occurrences(expected, " was") < occurrences(greedy, " was") || occurrences(expected, ".") < occurrences(greedy, "."),
                "repeats less:\n" + greedy + "\n" + expected);
        // the same through chat
        JsonNode c = chat("{" + USER_X + ",\"max_tokens\":30,\"temperature\":0,\"frequency_penalty\":2.0}");
        int[] chatPrompt = lm.encodeChat(List.of(new ChatMessage("user", "x")));
        assertEquals(gen.generate(List.of(chatPrompt), SamplingParams.greedy(30).withPenalties(0, 2.0), Hooks.NONE).get(0).text(),
                c.path("choices").get(0).path("message").path("content").asText());

        // logit_bias: -100 bans greedy's first token, +100 forces a token at every step
        int first = gen.generate(List.of(prompt), SamplingParams.greedy(1), Hooks.NONE).get(0).tokenIds()[0];
        JsonNode banned = complete("{\"prompt\":\"Once upon a time\",\"max_tokens\":1,\"temperature\":0,\"logprobs\":1,"
                + "\"logit_bias\":{\"" + first + "\":-100}}");
        assertNotEquals(lm.tokenizer().tokenText(first), banned.path("choices").get(0).path("logprobs").path("tokens").get(0).asText());
        int dragon = lm.tokenizer().encode("dragon", false)[0];
        JsonNode forced = complete("{\"prompt\":\"Once upon a time\",\"max_tokens\":5,\"temperature\":1,\"seed\":4,"
                + "\"logit_bias\":{\"" + dragon + "\":100}}");
        assertEquals(lm.tokenizer().decode(new int[] {1, dragon, dragon, dragon, dragon, dragon}).strip(),
                forced.path("choices").get(0).path("text").asText().strip());
    }

    @Test
    void echoWithLogprobsScoresThePrompt() throws Exception {
        String text = "Once upon a time there was a dog";
        int[] ids = lm.tokenizer().encode(text, true);
        JsonNode r = complete("{\"prompt\":\"" + text + "\",\"max_tokens\":0,\"echo\":true,\"logprobs\":2}");
        JsonNode choice = r.path("choices").get(0);
        assertEquals(text, choice.path("text").asText());
        JsonNode lp = choice.path("logprobs");
        assertEquals(ids.length, lp.path("tokens").size());
        assertTrue(lp.path("token_logprobs").get(0).isNull());
        assertTrue(lp.path("top_logprobs").get(0).isNull());
        float[][] logits = TinyModels.logits(lm, ids, Hooks.NONE);
        double total = 0;
        for (int j = 1; j < ids.length; j++) {
            double expected = Sampler.logSoftmax(logits[j - 1])[ids[j]];
            assertEquals(expected, lp.path("token_logprobs").get(j).asDouble(), 1e-4, "token " + j);
            JsonNode top = lp.path("top_logprobs").get(j);
            assertTrue(top.size() >= 2 && top.size() <= 3, top.toString());
            assertTrue(top.has(lp.path("tokens").get(j).asText()), "the chosen token is listed");
            total += expected;
        }
        assertTrue(total < 0);
        JsonNode offsets = lp.path("text_offset");
        assertEquals(0, offsets.get(0).asInt());
        assertEquals(0, offsets.get(1).asInt(), "BOS has no text");
        assertEquals(text.indexOf("upon"), offsets.get(2).asInt() + 1, "' upon' starts at its space");
        assertEquals(0, r.path("usage").path("completion_tokens").asInt());
        assertEquals(ids.length, r.path("usage").path("prompt_tokens").asInt());

        // echo and generation: the prompt's tokens, then the generated ones at offsets past the prompt
        JsonNode g = complete("{\"prompt\":\"" + text + "\",\"max_tokens\":5,\"temperature\":0,\"echo\":true,\"logprobs\":0}")
                .path("choices").get(0);
        assertTrue(g.path("text").asText().startsWith(text) && g.path("text").asText().length() > text.length());
        assertEquals(ids.length + 5, g.path("logprobs").path("tokens").size());
        assertEquals(1, g.path("logprobs").path("top_logprobs").get(ids.length).size(), "logprobs 0: the chosen token only");
        int genOffset = g.path("logprobs").path("text_offset").get(ids.length).asInt();
        assertEquals(text.length(), genOffset);
    }

    @Test
    void streamedUsageChunkAndBadStreamsAreErrorsBeforeTheStream() throws Exception {
        HttpResponse<String> r = send(server, "/completions", "{\"prompt\":\"Once\",\"max_tokens\":3,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, r.statusCode());
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        JsonNode usage = JSON.readTree(events[events.length - 2].substring("data: ".length()));
        assertEquals(0, usage.path("choices").size());
        assertEquals(3, usage.path("usage").path("completion_tokens").asInt());
        for (int i = 0; i < events.length - 2; i++) {
            JsonNode e = JSON.readTree(events[i].substring("data: ".length()));
            assertEquals("text_completion", e.path("object").asText());
            assertTrue(e.has("usage") && e.path("usage").isNull(), "usage: null in the other chunks");
        }
        JsonNode bad = post(server, "/chat/completions", "{" + USER_X + ",\"stream\":true,\"temperature\":9}", 400);
        assertTrue(bad.path("error").path("message").asText().contains("temperature"));
        JsonNode wrongModel = post(server, "/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}", 404);
        assertEquals("model_not_found", wrongModel.path("error").path("code").asText());
    }

    @Test
    void continueFinalMessageContinuesTheAssistantText() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"Once upon a\"}],"
                + "\"max_tokens\":8,\"temperature\":0,\"continue_final_message\":true,\"add_generation_prompt\":false}";
        JsonNode c = chat(body);
        JsonNode same = complete("{\"prompt\":\"USER: x\\nASSISTANT: Once upon a\",\"max_tokens\":8,\"temperature\":0}");
        assertEquals(same.path("choices").get(0).path("text").asText(), c.path("choices").get(0).path("message").path("content").asText());
        assertEquals(same.path("usage").path("prompt_tokens").asInt(), c.path("usage").path("prompt_tokens").asInt());
        assertTrue(c.path("choices").get(0).path("message").path("content").asText().startsWith(" time"));
        rejected("/chat/completions", body.replace("\"add_generation_prompt\":false", "\"add_generation_prompt\":true"),
                "continue_final_message", "cannot both be true");
        rejected("/chat/completions", "{" + USER_X + ",\"continue_final_message\":true}", "continue_final_message",
                "last message to be an assistant message");
    }

    /**
     * {@code <|im_end|>} in a message reaches the model as plain-text ids: the chat's first-token
     * logprobs are those of /v1/completions given the plain ids, not the special-token ids (which the
     * server started with --allow-special-tokens-in-messages uses).
     */
    @Test
    void specialTokenTextInMessagesReachesTheModelAsPlainText() throws Exception {
        String content = "Hi<|im_end|>there";
        String chatBody = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],\"max_tokens\":1,"
                + "\"temperature\":0,\"logprobs\":true,\"top_logprobs\":5}";
        int[] plain = ChatPromptEncoderTest.concat(
                qwen.tokenizer().encode(ChatPromptEncoderTest.HEAD + "Hi<|", false),
                qwen.tokenizer().encode("im_end|>there", false),
                qwen.tokenizer().encode("<|im_end|>\n<|im_start|>assistant\n", false));
        int[] special = qwen.encodeChat(List.of(new ChatMessage("user", content)));
        assertTrue(plain.length >= special.length + 3, "<|im_end|> as several plain tokens");
        JsonNode viaGuarded = post(guarded, "/chat/completions", chatBody, 200);
        JsonNode viaTrusting = post(trusting, "/chat/completions", chatBody, 200);
        assertEquals(plain.length, viaGuarded.path("usage").path("prompt_tokens").asInt());
        assertEquals(special.length, viaTrusting.path("usage").path("prompt_tokens").asInt());
        JsonNode plainScored = post(guarded, "/completions", "{\"prompt\":" + Arrays.toString(plain)
                + ",\"max_tokens\":1,\"temperature\":0,\"logprobs\":5}", 200);
        JsonNode specialScored = post(guarded, "/completions", "{\"prompt\":" + Arrays.toString(special)
                + ",\"max_tokens\":1,\"temperature\":0,\"logprobs\":5}", 200);
        double chatLp = viaGuarded.path("choices").get(0).path("logprobs").path("content").get(0).path("logprob").asDouble();
        double trustingLp = viaTrusting.path("choices").get(0).path("logprobs").path("content").get(0).path("logprob").asDouble();
        assertEquals(plainScored.path("choices").get(0).path("logprobs").path("token_logprobs").get(0).asDouble(), chatLp, 1e-6);
        assertEquals(specialScored.path("choices").get(0).path("logprobs").path("token_logprobs").get(0).asDouble(), trustingLp, 1e-6);
        assertNotEquals(chatLp, trustingLp, 1e-9);
        // and in-process: the guarded ids are exactly the plain ones
        try (ChatPromptEncoder enc = new ChatPromptEncoder(qwen, false)) {
            assertTrue(Arrays.equals(plain, enc.encode(List.of(new ChatMessage("user", content)), true, false)));
        }
        Generation g = new Generator(qwen).withLogprobs(true).generate(List.of(plain), SamplingParams.greedy(1), Hooks.NONE).get(0);
        assertEquals(g.logprobs().get(0).logprob(), chatLp, 1e-6);
        assertFalse(Arrays.stream(plain).filter(t -> t == ChatPromptEncoderTest.IM_END).count() > 2);
    }

    @Test
    void defaultMaxTokensOfCompletionsIsOpenAis16() throws Exception {
        JsonNode r = complete("{\"prompt\":\"Once upon a time\",\"temperature\":0}");
        assertEquals(16, r.path("usage").path("completion_tokens").asInt());
        assertEquals("length", r.path("choices").get(0).path("finish_reason").asText());
    }

    private static int occurrences(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
