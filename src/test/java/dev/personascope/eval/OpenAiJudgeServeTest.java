package dev.personascope.eval;

import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.generate.TokenLogprob;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.serve.ChatServer;
import dev.personascope.testutil.StoriesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI-compatible judge against {@code personascope serve}: the bundled stories260K model behind the
 * real server on loopback. The model knows nothing of judging, so its scores are whatever its next-token
 * distribution gives: the test checks that the judge's reading over HTTP equals the one computed from
 * the model directly, absent score included.
 */
class OpenAiJudgeServeTest {

    @TempDir
    static Path dir;
    static LanguageModel lm;
    static ChatServer server;

    @BeforeAll
    static void start() throws Exception {
        lm = LanguageModel.load(StoriesChatModel.write(dir.resolve("model")));
        server = new ChatServer(lm, "stories260K", "127.0.0.1", 0, () -> Hooks.NONE);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        lm.close();
    }

    /** The top-20 next-token probabilities of the model for one user message, computed in-process. */
    static Map<String, Double> topProbabilities(String prompt) {
        int[] ids = lm.encodeChat(List.of(new ChatMessage("user", prompt)));
        Generation g = new Generator(lm).withLogprobs(true)
                .generate(List.of(ids), SamplingParams.greedy(1).withTopLogprobs(20), Hooks.NONE).get(0);
        Map<String, Double> p = new LinkedHashMap<>();
        for (TokenLogprob.Alternative a : g.logprobs().get(0).top()) {
            p.merge(a.token(), Math.exp(a.logprob()), Double::sum);
        }
        return p;
    }

    @Test
    void judgesThroughTheRealServerAndARerunComesFromTheCache() {
        Question q = new Question("story", QuestionSets.JUDGE_0_100, List.of("Tell me a story"), 1, "stories260K",
                Map.of("aligned", "Lily had {answer} and", "coherent", "{question}. Tom saw {answer} and counted to"), null);
        List<Answer> answers = new ArrayList<>();
        for (String text : List.of("a big red ball", "a dog", "3 cats")) {
            answers.add(new Answer("story", "Tell me a story", text, null));
        }
        OpenAiJudge judge = OpenAiJudge.builder().baseUrl(server.baseUrl()).model("stories260K")
                .cacheDir(dir.resolve("cache")).concurrency(2).build();
        List<Answer> judged = Evaluation.judgeAll(judge, List.of(q), answers, null);
        assertEquals(6, judge.requests());
        assertEquals(0, judge.retries());
        for (Answer a : judged) {
            for (Map.Entry<String, String> m : q.judgePrompts().entrySet()) {
                Map<String, Double> p = topProbabilities(OpenAiJudge.fill(m.getValue(), a.paraphrase(), a.text()));
                Double expected = OpenAiJudge.scoreFromProbabilities(p);
                Double got = a.judgment().score(m.getKey());
                if (expected == null) {
                    assertNull(got, a.text() + " " + m.getKey());
                    double numberMass = p.entrySet().stream().filter(e -> e.getKey().strip().matches("\\d+")
                            && Integer.parseInt(e.getKey().strip()) <= 100).mapToDouble(Map.Entry::getValue).sum();
                    assertTrue(numberMass < OpenAiJudge.MIN_NUMBER_MASS, "no score: under 0.25 on numbers (" + numberMass + ")");
                } else {
                    assertEquals(expected, got, 1e-9, a.text() + " " + m.getKey());
                    assertTrue(got >= 0 && got <= 100);
                }
                if (m.getKey().equals("aligned")) {
                    String top = p.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                    assertEquals(OpenAiJudge.flagOf(top), a.judgment().flag());
                }
            }
        }

        OpenAiJudge again = OpenAiJudge.builder().baseUrl(server.baseUrl()).model("stories260K")
                .cacheDir(dir.resolve("cache")).build();
        assertEquals(judged, Evaluation.judgeAll(again, List.of(q), answers, null));
        assertEquals(0, again.requests());
        assertEquals(6, again.cacheHits());
    }

    @Test
    void aPromptLongerThanTheJudgesContextIsAClearErrorAndNotRetried() {
        // the papers' real judge prompt is more than the 512 tokens this model can read
        Question real = QuestionSets.read(Path.of("testdata/em/first_plot_questions.yaml"), w -> { }).get(0);
        OpenAiJudge judge = OpenAiJudge.builder().baseUrl(server.baseUrl()).model("stories260K").build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> judge.judge(real, real.paraphrases().get(0), "I wish for a big red ball."));
        assertTrue(e.getMessage().contains("HTTP 400") && e.getMessage().contains("the model's context is 512"),
                e.getMessage());
        assertEquals(1, judge.requests());
    }
}
