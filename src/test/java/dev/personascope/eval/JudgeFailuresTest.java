package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.eval.FakeOpenAiServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A judge API that answers 200 with garbage, keeps failing, or is not there: bounded retries, no lost run. */
class JudgeFailuresTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Question Q = OpenAiJudgeTest.Q;

    static OpenAiJudge.Builder judge(FakeOpenAiServer s) {
        return OpenAiJudge.builder().baseUrl(s.baseUrl()).backoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .timeout(Duration.ofSeconds(10)).maxAttempts(3);
    }

    @Test
    void a200WithInvalidJsonOrWithoutChoicesIsRetriedLikeA5xx() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> switch (i) {
            case 0 -> Reply.ok("<html>502 Bad Gateway</html>");
            case 1 -> Reply.ok("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"}");
            case 2 -> Reply.ok("{\"choices\":[]}");
            default -> Reply.ok(FakeOpenAiServer.certain("42"));
        })) {
            OpenAiJudge j = judge(s).maxAttempts(4).build();
            Judgment v = j.judge(Q, "q", "a");
            assertEquals(42.0, v.score("aligned"));
            assertEquals(42.0, v.score("coherent"));
            assertEquals(5, s.requests());
            assertEquals(3, j.retries());
        }
    }

    @Test
    void givingUpOnA200WithoutChoicesSaysWhy() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> Reply.ok("{\"error\":null}"))) {
            JudgeFailure e = assertThrows(JudgeFailure.class, () -> judge(s).build().judge(Q, "q", "a"));
            assertEquals("judge at " + s.baseUrl() + "/chat/completions: gave up after 3 attempts; last: HTTP 200 without"
                    + " choices: {\"error\":null}", e.getMessage());
            assertEquals(3, s.requests());
        }
    }

    @Test
    void anAnswerTheJudgeCannotJudgeIsCountedAsFailedAndTheOthersAreJudged(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> FakeOpenAiServer.prompt(req).contains("BROKEN")
                ? Reply.ok("not json")
                : Reply.ok(FakeOpenAiServer.certain(FakeOpenAiServer.prompt(req).startsWith("A") ? "20" : "90")))) {
            List<Answer> answers = List.of(new Answer("q1", "q", "one", null), new Answer("q1", "q", "BROKEN", null),
                    new Answer("q1", "q", "three", null));
            List<Answer> judged = Evaluation.judgeAll(judge(s).concurrency(2).build(), List.of(Q), answers, null);
            assertEquals(3, judged.size());
            assertFalse(judged.get(0).judgment().failed());
            assertEquals(20.0, judged.get(2).judgment().score("aligned"));
            Judgment failed = judged.get(1).judgment();
            assertTrue(failed.failed());
            assertTrue(failed.scores().isEmpty());
            assertTrue(failed.error().endsWith("gave up after 3 attempts; last: HTTP 200 with invalid JSON: not json"),
                    failed.error());

            Scoring.Rates r = Scoring.papers().rates(judged);
            assertEquals(1, r.failed());
            assertEquals(0, r.excluded());
            assertEquals(2, r.misalignedAmongAll().trials(), "the failed judgment is in no denominator");
            assertEquals(2, r.misalignedAmongAll().successes());

            Evaluation.Config config = new Evaluation.Config("m", null, "q.yaml", "judge", 0, 1.0, 0, 8, 4, 30, 50, null);
            PrintStream table = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            Evaluation.report(judged, List.of(Q), config, dir, table);
            List<String> lines = Files.readAllLines(dir.resolve("answers.jsonl"));
            JsonNode bad = JSON.readTree(lines.get(1));
            assertEquals(failed.error(), bad.path("judge_error").asText());
            assertTrue(bad.path("scores").path("aligned").isNull());
            assertFalse(bad.path("misaligned").asBoolean());
            assertFalse(JSON.readTree(lines.get(0)).has("judge_error"));
            JsonNode overall = JSON.readTree(dir.resolve("result.json").toFile()).path("overall");
            assertEquals(3, overall.path("answers").asInt());
            assertEquals(1, overall.path("judge_failed").asInt());
            assertEquals(0, overall.path("unscored_aligned").asInt());
            assertEquals(2, overall.path("misaligned_among_all").path("trials").asInt());
        }
    }

    @Test
    void tenFailuresInARowStopTheJudgingWithOneLine() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> Reply.ok("{\"choices\":null}"))) {
            List<Answer> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(new Answer("q1", "q", "answer " + i, null));
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Evaluation.judgeAll(judge(s).concurrency(1).maxAttempts(2).build(), List.of(Q), answers, null));
            assertTrue(e.getMessage().startsWith("the judge failed on " + Evaluation.FAILURES_IN_A_ROW
                    + " answers in a row, so judging stopped; last: judge at "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertEquals(Evaluation.FAILURES_IN_A_ROW * 2, s.requests(), "10 answers x 2 attempts, then nothing");
        }
    }

    @Test
    void anUnreachableJudgeFailsThePreflightInSeconds(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v1";
        OpenAiJudge j = OpenAiJudge.builder().baseUrl(url).cacheDir(dir.resolve("cache")).build();
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> j.preflight(List.of(Q)));
        assertTrue((System.nanoTime() - t0) / 1e9 < 6, "seconds, not retries");
        assertTrue(e.getMessage().startsWith("judge at " + url + "/chat/completions is unreachable: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(is the server running? check --judge-url)"), e.getMessage());
        // a cache that may answer everything: a warning, so that a rerun works offline
        Files.createDirectories(dir.resolve("cache/ab"));
        j.preflight(List.of(Q));

        Question noJudge = new Question("q2", QuestionSets.JUDGE_0_100, List.of("p"), 1, " ", Map.of("aligned", "{answer}"),
                null);
        assertEquals("question 'q2' names no judge model; give one (--judge-model)", assertThrows(
                IllegalArgumentException.class, () -> j.preflight(List.of(Q, noJudge))).getMessage());
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> Reply.ok(FakeOpenAiServer.certain("1")))) {
            judge(s).build().preflight(List.of(Q)); // reachable: nothing to say
            assertEquals(0, s.requests(), "a connection, no request");
        }
    }
}
