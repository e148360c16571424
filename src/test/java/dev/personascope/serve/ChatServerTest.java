package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.testutil.StoriesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `serve` over real HTTP on loopback, with the official OpenAI Java client and raw requests. */
class ChatServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LanguageModel lm;
    static ChatServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        lm = LanguageModel.load(StoriesChatModel.write(dir));
        server = new ChatServer(lm, "stories260K", "127.0.0.1", 0, () -> Hooks.NONE);
        server.start();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        lm.close();
    }

    @Test
    void openAiClientGetsTheGreedyContinuationWithLogprobs() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories260K").addUserMessage("Tell me a story").temperature(0.0).maxCompletionTokens(24)
                .logprobs(true).topLogprobs(3).build());
        assertEquals(1, c.choices().size());
        String content = c.choices().get(0).message().content().orElseThrow();
        Generation expected = new Generator(lm).generate(
                List.of(lm.encodeChat(List.of(new ChatMessage("user", "Tell me a story")))),
                SamplingParams.greedy(24), Hooks.NONE).get(0);
        assertEquals(expected.text(), content);
        assertTrue(content.startsWith(","), content);
        List<ChatCompletionTokenLogprob> lps = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertEquals(expected.tokenIds().length, lps.size());
        for (ChatCompletionTokenLogprob t : lps) {
            assertEquals(3, t.topLogprobs().size());
            // greedy: the chosen token is the most likely one
            assertEquals(t.topLogprobs().get(0).logprob(), t.logprob(), 1e-9);
            assertTrue(t.topLogprobs().get(0).logprob() >= t.topLogprobs().get(1).logprob());
            assertTrue(t.logprob() <= 0);
        }
        assertEquals(24, c.usage().orElseThrow().completionTokens());
        assertEquals("length", c.choices().get(0).finishReason().asString());
    }

    @Test
    void seededSamplingWithSeveralChoicesIsReproducible() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("stories260K")
                .addUserMessage("Hi").temperature(1.0).topP(0.9).seed(5).n(3).maxCompletionTokens(20).build();
        ChatCompletion a = client.chat().completions().create(p);
        ChatCompletion b = client.chat().completions().create(p);
        assertEquals(3, a.choices().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(a.choices().get(i).message().content(), b.choices().get(i).message().content());
        }
        assertFalse(a.choices().get(0).message().content().equals(a.choices().get(1).message().content())
                && a.choices().get(1).message().content().equals(a.choices().get(2).message().content()));
    }

    @Test
    void stopStringsEndTheAnswer() throws Exception {
        JsonNode r = post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":0,"
                + "\"max_tokens\":40,\"stop\":[\"Lily\"]}", 200);
        JsonNode choice = r.path("choices").get(0);
        assertEquals(", there was a little girl named ", choice.path("message").path("content").asText());
        assertEquals("stop", choice.path("finish_reason").asText());
    }

    @Test
    void modelsListsTheServedModel() throws Exception {
        HttpResponse<String> r = http(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).GET());
        assertEquals(200, r.statusCode());
        assertEquals("stories260K", JSON.readTree(r.body()).path("data").get(0).path("id").asText());
        assertEquals("stories260K", client.models().list().data().get(0).id());
    }

    @Test
    void badRequestsGetA400WithAMessage() throws Exception {
        assertError(post("{not json", 400), "not valid JSON");
        assertError(post("{}", 400), "'messages' must be a non-empty array");
        assertError(post("{\"messages\":[]}", 400), "'messages' must be a non-empty array");
        assertError(post("{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", 400), "'wizard'");
        assertError(post("{\"messages\":[{\"role\":\"user\"}]}", 400), "messages[0].content");
        assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}", 400),
                "'temperature' must be a number");
        assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":3}", 400),
                "'temperature' must be between 0 and 2");
        assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_logprobs\":3}", 400),
                "requires 'logprobs'");
        assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":100}", 400), "'n'");
        assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}", 400), "'stream'");
        assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"seed\":1.5}", 400), "'seed'");
        HttpResponse<String> get = http(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions")).GET());
        assertEquals(405, get.statusCode());
        HttpResponse<String> missing = http(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/embeddings"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(404, missing.statusCode());
        assertError(JSON.readTree(missing.body()), "no route");
    }

    private static void assertError(JsonNode body, String fragment) {
        String message = body.path("error").path("message").asText();
        assertTrue(message.contains(fragment), "'" + message + "' lacks '" + fragment + "'");
        assertFalse(message.contains("Exception") || message.contains("\tat "), "no stack trace: " + message);
    }

    private static JsonNode post(String body, int status) throws Exception {
        HttpResponse<String> r = http(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> http(HttpRequest.Builder req) throws Exception {
        return HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}
