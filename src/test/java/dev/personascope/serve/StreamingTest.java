package dev.personascope.serve;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streaming chat and text completions with the official OpenAI Java client, against the non-streamed answers. */
class StreamingTest {
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

    static List<ChatCompletionChunk> chunks(ChatCompletionCreateParams p) {
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            return s.stream().toList();
        }
    }

    /** Each choice's streamed text, by index. */
    static Map<Long, String> texts(List<ChatCompletionChunk> chunks) {
        Map<Long, String> out = new TreeMap<>();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice ch : c.choices()) {
                out.merge(ch.index(), ch.delta().content().orElse(""), String::concat);
            }
        }
        return out;
    }

    @Test
    void streamedChatIsTheAnswerInPiecesWithRoleFirstFinishLastAndUsage() {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model("stories260K")
                .addUserMessage("Tell me a story").temperature(0.0).maxCompletionTokens(30).logprobs(true).topLogprobs(2);
        ChatCompletion whole = client.chat().completions().create(b.build());
        List<ChatCompletionChunk> chunks = chunks(b.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
        assertTrue(chunks.size() > 5, "streamed in pieces: " + chunks.size());
        ChatCompletionChunk first = chunks.get(0);
        assertEquals("assistant", first.choices().get(0).delta().role().orElseThrow().asString());
        for (ChatCompletionChunk c : chunks) {
            assertEquals(first.id(), c.id());
            assertEquals("stories260K", c.model());
        }
        String content = whole.choices().get(0).message().content().orElseThrow();
        assertEquals(content, texts(chunks).get(0L));
        ChatCompletionChunk usage = chunks.get(chunks.size() - 1);
        assertTrue(usage.choices().isEmpty());
        assertEquals(whole.usage().orElseThrow().completionTokens(), usage.usage().orElseThrow().completionTokens());
        assertEquals(whole.usage().orElseThrow().promptTokens(), usage.usage().orElseThrow().promptTokens());
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertEquals("length", finish.choices().get(0).finishReason().orElseThrow().asString());
        // the streamed logprobs are the answer's, token by token
        List<ChatCompletionTokenLogprob> expected = whole.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice ch : c.choices()) {
                ch.logprobs().flatMap(ChatCompletionChunk.Choice.Logprobs::content).ifPresent(streamed::addAll);
            }
        }
        assertEquals(expected.size(), streamed.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).token(), streamed.get(i).token());
            assertEquals(expected.get(i).logprob(), streamed.get(i).logprob(), 1e-9);
            assertEquals(2, streamed.get(i).topLogprobs().size());
        }
    }

    @Test
    void streamedChoicesOfASeededSampleAndStopStringsMatchTheAnswer() {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model("stories260K")
                .addUserMessage("Hi").temperature(1.2).seed(11).n(3).maxCompletionTokens(40).stopOfStrings(List.of(" the", "Lily"));
        ChatCompletion whole = client.chat().completions().create(b.build());
        List<ChatCompletionChunk> chunks = chunks(b.build());
        Map<Long, String> texts = texts(chunks);
        assertEquals(3, texts.size());
        Map<Long, String> reasons = new TreeMap<>();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice ch : c.choices()) {
                ch.finishReason().ifPresent(r -> reasons.put(ch.index(), r.asString()));
                assertFalse(ch.delta().content().orElse("").contains("Lily"));
            }
            assertTrue(c.usage().isEmpty(), "no usage unless asked for");
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(whole.choices().get(i).message().content().orElseThrow(), texts.get((long) i));
            assertEquals(whole.choices().get(i).finishReason().asString(), reasons.get((long) i));
        }
    }

    @Test
    void rawStreamIsServerSentEventsEndingWithDone() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":5,\"temperature\":0,\"stream\":true}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        for (String e : events) {
            assertTrue(e.startsWith("data: "), e);
        }
        assertTrue(events[0].contains("\"object\":\"chat.completion.chunk\"") && events[0].contains("\"role\":\"assistant\""));
        assertTrue(events[events.length - 2].contains("\"finish_reason\":\"length\""), events[events.length - 2]);
    }

    @Test
    void completionsWithTheOfficialClient() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time").maxTokens(20).temperature(0.0).build());
        int[] prompt = lm.tokenizer().encode("Once upon a time", true);
        Generation g = new Generator(lm).generate(List.of(prompt), SamplingParams.greedy(20), Hooks.NONE).get(0);
        assertEquals(g.text(), c.choices().get(0).text());
        assertTrue(c.choices().get(0).text().startsWith(", there was a little girl named Lily"), c.choices().get(0).text());
        assertEquals(prompt.length, c.usage().orElseThrow().promptTokens());
        assertEquals(20, c.usage().orElseThrow().completionTokens());
        assertEquals(CompletionChoice.FinishReason.LENGTH, c.choices().get(0).finishReason());

        // several prompts, as strings and as token ids, with n: choices in prompt order
        Completion many = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .promptOfArrayOfStrings(List.of("Once upon a time", "Lily saw")).n(2).maxTokens(8).temperature(0.0).build());
        assertEquals(4, many.choices().size());
        assertEquals(many.choices().get(0).text(), many.choices().get(1).text());
        assertEquals(g.text().substring(0, many.choices().get(0).text().length()), many.choices().get(0).text());
        List<Long> ids = new ArrayList<>();
        for (int t : prompt) {
            ids.add((long) t);
        }
        Completion byIds = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .promptOfArrayOfTokens(ids).maxTokens(8).temperature(0.0).build());
        assertEquals(many.choices().get(0).text(), byIds.choices().get(0).text());
    }

    @Test
    void streamedCompletionsWithEchoAndLogprobsAddUpToTheAnswer() {
        CompletionCreateParams.Builder b = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time")
                .maxTokens(25).temperature(0.0).logprobs(3).echo(true);
        Completion whole = client.completions().create(b.build());
        CompletionChoice wc = whole.choices().get(0);
        assertTrue(wc.text().startsWith("Once upon a time, there was"), wc.text());
        List<Completion> chunks;
        try (StreamResponse<Completion> s = client.completions().createStreaming(
                b.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = s.stream().toList();
        }
        StringBuilder text = new StringBuilder();
        List<String> tokens = new ArrayList<>();
        List<Double> lps = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        String finish = null;
        for (Completion c : chunks) {
            for (CompletionChoice ch : c.choices()) {
                text.append(ch.text());
                ch.logprobs().ifPresent(l -> {
                    tokens.addAll(l.tokens().orElseThrow());
                    lps.addAll(l.tokenLogprobs().orElseThrow());
                    offsets.addAll(l.textOffset().orElseThrow());
                });
                if (!ch._finishReason().isNull() && !ch._finishReason().isMissing()) {
                    finish = ch.finishReason().asString();
                }
            }
        }
        assertEquals(wc.text(), text.toString());
        assertEquals("Once upon a time", chunks.get(0).choices().get(0).text(), "the echo comes first");
        CompletionChoice.Logprobs wl = wc.logprobs().orElseThrow();
        assertEquals(wl.tokens().orElseThrow(), tokens);
        assertEquals(wl.textOffset().orElseThrow(), offsets);
        assertEquals(wl.tokenLogprobs().orElseThrow().size(), lps.size());
        assertEquals("length", finish);
        Completion usage = chunks.get(chunks.size() - 1);
        assertTrue(usage.choices().isEmpty());
        assertEquals(whole.usage().orElseThrow().totalTokens(), usage.usage().orElseThrow().totalTokens());
    }

    @Test
    void continueFinalMessageThroughTheClientsExtraBodyField() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("stories260K")
                .addUserMessage("x").addAssistantMessage("Once upon a").temperature(0.0).maxCompletionTokens(6)
                .putAdditionalBodyProperty("continue_final_message", JsonValue.from(true))
                .putAdditionalBodyProperty("add_generation_prompt", JsonValue.from(false)).build());
        int[] prompt = lm.tokenizer().encode("<s>USER: x\nASSISTANT: Once upon a", false);
        Generation g = new Generator(lm).generate(List.of(prompt), SamplingParams.greedy(6), Hooks.NONE).get(0);
        assertEquals(g.text(), c.choices().get(0).message().content().orElseThrow());
        assertTrue(g.text().startsWith(" time"), g.text());
        assertEquals(prompt.length, c.usage().orElseThrow().promptTokens());
        // the plain chat ends the assistant turn and opens a new one instead
        assertEquals(lm.encodeChat(List.of(new ChatMessage("user", "x"), new ChatMessage("assistant", "Once upon a"))).length,
                client.chat().completions().create(ChatCompletionCreateParams.builder().model("stories260K")
                        .addUserMessage("x").addAssistantMessage("Once upon a").maxCompletionTokens(1).build())
                        .usage().orElseThrow().promptTokens());
    }
}
