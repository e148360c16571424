package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.eval.FakeOpenAiServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Digit-by-digit scoring ({@code --judge-scoring digits}) against scripted judges over loopback: a judge whose
 * tokenizer splits numbers into digits (Qwen2.5, Mistral, Llama 2), simulated from a known distribution over
 * 0..100, and a judge with whole-number tokens (GPT-4o) answering from the same distribution.
 */
class DigitScoringTest {
    static final String EOS = "<|im_end|>";
    static final Question Q = OpenAiJudgeTest.Q;

    /**
     * A judge that writes numbers from {@code numbers} (n → probability) and otherwise one of {@code words}.
     * {@code split}: its tokenizer splits numbers into digits, so the first token is the first digit and each
     * continuation is the next digit or the end of turn; otherwise every number is one token (the top 20 of
     * the first position listed) and a continuation after a whole-number token ends the turn.
     */
    record SimulatedJudge(Map<Integer, Double> numbers, Map<String, Double> words, boolean split) {
        Map<String, Double> first() {
            Map<String, Double> p = new LinkedHashMap<>(words);
            numbers.forEach((n, q) -> p.merge(split ? Integer.toString(n).substring(0, 1) : Integer.toString(n), q,
                    Double::sum));
            return top20(p);
        }

        Map<String, Double> after(String prefix) {
            if (!split) {
                return Map.of(EOS, 1.0);
            }
            Map<String, Double> p = new LinkedHashMap<>();
            double total = 0;
            for (Map.Entry<Integer, Double> e : numbers.entrySet()) {
                String s = Integer.toString(e.getKey());
                if (s.startsWith(prefix)) {
                    p.merge(s.length() == prefix.length() ? EOS : s.substring(prefix.length(), prefix.length() + 1),
                            e.getValue(), Double::sum);
                    total += e.getValue();
                }
            }
            if (total == 0) {
                return Map.of(EOS, 1.0);
            }
            double t = total;
            p.replaceAll((k, v) -> v / t);
            return top20(p);
        }

        Reply reply(JsonNode request) {
            String prefix = FakeOpenAiServer.continuationPrefix(request);
            return Reply.ok(FakeOpenAiServer.completion(prefix == null ? first() : after(prefix)));
        }

        double mean() {
            double total = 0;
            double sum = 0;
            for (Map.Entry<Integer, Double> e : numbers.entrySet()) {
                total += e.getValue();
                sum += e.getKey() * e.getValue();
            }
            return sum / total;
        }
    }

    static Map<String, Double> top20(Map<String, Double> p) {
        Map<String, Double> top = new LinkedHashMap<>();
        p.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(20).forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    static OpenAiJudge.Builder judge(FakeOpenAiServer s, JudgeScoring scoring) {
        return OpenAiJudgeTest.judge(s).model("split-judge").scoring(scoring);
    }

    @Test
    void digitScoringRecoversTheDistributionOfADigitSplittingJudge() throws Exception {
        SimulatedJudge qwen = new SimulatedJudge(Map.of(85, 0.6, 90, 0.3, 100, 0.1), Map.of(), true);
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> qwen.reply(req))) {
            OpenAiJudge j = judge(s, JudgeScoring.DIGITS).build();
            OpenAiJudge.Reading r = j.read("split-judge", "A|q|a");
            assertEquals(JudgeScoring.DIGITS, r.method());
            assertEquals(85 * 0.6 + 90 * 0.3 + 100 * 0.1, r.score(), 1e-6);
            assertEquals(88.0, r.score(), 1e-6);
            for (int n = 0; n <= 100; n++) {
                double expected = n == 85 ? 0.6 : n == 90 ? 0.3 : n == 100 ? 0.1 : 0;
                assertEquals(expected, r.distribution().probability(n), 1e-6, "P(" + n + ")");
            }
            assertEquals(0, r.distribution().unresolved());
            assertEquals(List.of("8", "9", "1", "10"), r.distribution().continued(), "most likely first; 100 via 1, 10");
            assertEquals(5, s.requests());
            assertEquals(5, j.requests());
            assertEquals(4, j.followUps());

            JsonNode first = s.bodies.get(0);
            assertEquals(1, first.path("messages").size());
            assertTrue(first.path("continue_final_message").isMissingNode());
            JsonNode cont = s.bodies.get(4);
            assertEquals("split-judge", cont.path("model").asText());
            assertEquals(2, cont.path("messages").size());
            assertEquals("user", cont.path("messages").path(0).path("role").asText());
            assertEquals("A|q|a", cont.path("messages").path(0).path("content").asText());
            assertEquals("assistant", cont.path("messages").path(1).path("role").asText());
            assertEquals("10", cont.path("messages").path(1).path("content").asText());
            assertTrue(cont.path("continue_final_message").asBoolean());
            assertTrue(cont.path("add_generation_prompt").isBoolean() && !cont.path("add_generation_prompt").asBoolean());
            assertEquals(1, cont.path("max_tokens").asInt());
            assertEquals(0, cont.path("temperature").asDouble());
            assertTrue(cont.path("logprobs").asBoolean());
            assertEquals(20, cont.path("top_logprobs").asInt());

            // the one-token reading sees only the first digit: the bug this mode fixes
            Double tokens = judge(s, JudgeScoring.TOKENS).build().read("split-judge", "A|q|a").score();
            assertEquals(8 * 0.6 + 9 * 0.3 + 1 * 0.1, tokens, 1e-6);
            // auto: no multi-digit token among the top 20, so digits
            OpenAiJudge auto = judge(s, JudgeScoring.AUTO).build();
            OpenAiJudge.Reading a = auto.read("split-judge", "A|q|a");
            assertEquals(JudgeScoring.DIGITS, a.method());
            assertEquals(88.0, a.score(), 1e-6);
        }
    }

    @Test
    void theNoScoreRuleRefusalsAndCodeWorkAsInTheOneTokenMode() throws Exception {
        // aligned: 0.3 on numbers (0 and 40), 0.7 on REFUSAL: a score and a flag; coherent: 0.2 on numbers: no score
        SimulatedJudge refusing = new SimulatedJudge(Map.of(0, 0.1, 40, 0.2), Map.of("REF", 0.7), true);
        SimulatedJudge unsure = new SimulatedJudge(Map.of(75, 0.2), Map.of("The", 0.5, "I", 0.3), true);
        SimulatedJudge code = new SimulatedJudge(Map.of(5, 0.4), Map.of("CODE", 0.6), true);
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> {
            String p = FakeOpenAiServer.prompt(req);
            SimulatedJudge sim = p.startsWith("C") ? unsure : p.endsWith("code") ? code : refusing;
            return sim.reply(req);
        })) {
            OpenAiJudge j = judge(s, JudgeScoring.DIGITS).build();
            Judgment v = j.judge(Q, "q", "a");
            assertEquals(Judgment.Flag.REFUSAL, v.flag());
            assertEquals((0 * 0.1 + 40 * 0.2) / 0.3, v.score("aligned"), 1e-6);
            assertNull(v.score("coherent"), "0.2 of the probability on numbers: no score");
            Judgment c = j.judge(Q, "q", "code");
            assertEquals(Judgment.Flag.CODE, c.flag());
            assertEquals(5.0, c.score("aligned"), 1e-6);
        }
    }

    /** A discretised mixture of normals over 0..100 with {@code numberMass} of the probability on numbers. */
    static Map<Integer, Double> mixture(double numberMass, double[]... weightMeanSd) {
        Map<Integer, Double> d = new TreeMap<>();
        double total = 0;
        for (int n = 0; n <= 100; n++) {
            double w = 0;
            for (double[] c : weightMeanSd) {
                w += c[0] * Math.exp(-0.5 * Math.pow((n - c[1]) / c[2], 2));
            }
            d.put(n, w);
            total += w;
        }
        double t = total;
        d.replaceAll((n, w) -> numberMass * w / t);
        return d;
    }

    record Means(double truth, double tokens, double digitsForced, double digits, int followUps, double unresolved) {
    }

    /** The same distribution read by the one-token mode and forced digits on a whole-number judge, and digits on a splitting one. */
    static Means readBothWays(Map<Integer, Double> d) throws Exception {
        Map<String, Double> words = Map.of("REF", 0.05, "The", 0.03);
        SimulatedJudge gpt = new SimulatedJudge(d, words, false);
        SimulatedJudge qwen = new SimulatedJudge(d, words, true);
        try (FakeOpenAiServer whole = new FakeOpenAiServer((req, i) -> gpt.reply(req));
             FakeOpenAiServer split = new FakeOpenAiServer((req, i) -> qwen.reply(req))) {
            OpenAiJudge.Reading tokens = judge(whole, JudgeScoring.TOKENS).build().read("m", "p");
            OpenAiJudge.Reading forced = judge(whole, JudgeScoring.DIGITS).build().read("m", "p");
            OpenAiJudge digitJudge = judge(split, JudgeScoring.DIGITS).build();
            OpenAiJudge.Reading digits = digitJudge.read("m", "p");
            assertEquals(JudgeScoring.TOKENS, judge(whole, JudgeScoring.AUTO).build().read("m", "p").method(),
                    "auto: whole-number tokens, so the one-token reading");
            OpenAiJudge.Reading auto = judge(split, JudgeScoring.AUTO).build().read("m", "p");
            assertEquals(JudgeScoring.DIGITS, auto.method());
            assertEquals(digits.score(), auto.score(), 1e-12);
            assertTrue(digits.distribution().unresolved() <= ScoreDistribution.DIGIT_TAIL + 1e-12);
            return new Means(gpt.mean(), tokens.score(), forced.score(), digits.score(), digitJudge.followUps(),
                    digits.distribution().unresolved());
        }
    }

    @Test
    void digitAndOneTokenScoringAgreeOnJudgesThatAnswerFromTheSameDistribution() throws Exception {
        // numbers that all fit in the top 20: the three readings are the same distribution
        Map<Integer, Double> narrow = new TreeMap<>();
        for (int n = 70; n <= 95; n += 5) {
            narrow.put(n, 0.1 + 0.02 * (n - 70) / 5.0);
        }
        narrow.put(3, 0.05);
        narrow.put(10, 0.04);
        narrow.put(100, 0.06);
        // a judge's usual shape: peaked, a little spread, some of it past the top 20
        Map<Integer, Double> peaked = mixture(0.92, new double[] {1, 85, 4});
        Map<Integer, Double> low = mixture(0.92, new double[] {1, 8, 5});
        for (Map.Entry<String, Map<Integer, Double>> c : Map.of("narrow", narrow, "peaked 85±4", peaked, "peaked 8±5", low)
                .entrySet()) {
            Means m = readBothWays(c.getValue());
            System.out.printf("%s: true mean %.6f; one-token %.6f; digits forced on the whole-number judge %.6f;"
                            + " digits on the splitting judge %.6f (%d follow-ups, unresolved %.3g)%n", c.getKey(), m.truth(),
                    m.tokens(), m.digitsForced(), m.digits(), m.followUps(), m.unresolved());
            assertEquals(m.tokens(), m.digits(), 1.0, c.getKey());
            assertEquals(m.tokens(), m.digitsForced(), 1.0, c.getKey());
            if (c.getKey().equals("narrow")) {
                assertEquals(m.truth(), m.tokens(), 1e-6);
                assertEquals(m.truth(), m.digits(), 1e-6);
                assertEquals(m.truth(), m.digitsForced(), 1e-6);
            }
        }

        // two modes far apart: the top 20 hold only the larger one, which the digit reading does not miss
        Means broad = readBothWays(mixture(0.92, new double[] {0.75, 82, 7}, new double[] {0.25, 12, 9}));
        System.out.printf("bimodal 82±7 (0.75) and 12±9 (0.25): true mean %.4f; one-token %.4f; digits forced %.4f;"
                        + " digits on the splitting judge %.4f (%d follow-ups, unresolved %.3g)%n", broad.truth(), broad.tokens(),
                broad.digitsForced(), broad.digits(), broad.followUps(), broad.unresolved());
        assertEquals(broad.tokens(), broad.digitsForced(), 1e-9, "the same top-20 tokens, every one a complete number");
        assertEquals(broad.truth(), broad.digits(), 0.5);
    }

    @Test
    void aLeadingWhitespaceTokenIsLookedThrough() throws Exception {
        // SentencePiece judges (Llama 2, Mistral) write " 85" as "▁", "8", "5": the first token is a space
        SimulatedJudge digits = new SimulatedJudge(Map.of(85, 0.6, 90, 0.3, 100, 0.1), Map.of(), true);
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> {
            if (FakeOpenAiServer.continuationPrefix(req) != null) {
                return digits.reply(req);
            }
            String prompt = FakeOpenAiServer.prompt(req);
            if (prompt.endsWith("eos")) {
                // "" as the end of turn: the two-token request stops after it
                return Reply.ok(FakeOpenAiServer.completion(List.of(Map.of("", 0.7, "7", 0.3))));
            }
            Map<String, Double> first = prompt.endsWith("empty") ? Map.of("", 0.9, "I", 0.1) : Map.of(" ", 0.9, "I", 0.1);
            Map<String, Double> second = prompt.endsWith("refuse") ? Map.of("REF", 0.6, "2", 0.4) : digits.first();
            return Reply.ok(FakeOpenAiServer.completion(req.path("max_tokens").asInt() == 2 ? List.of(first, second)
                    : List.of(first)));
        })) {
            OpenAiJudge tokens = judge(s, JudgeScoring.TOKENS).build();
            assertNull(tokens.read("m", "A|q|a").score(), "the one-token reading sees only the space");
            OpenAiJudge j = judge(s, JudgeScoring.DIGITS).build();
            OpenAiJudge.Reading r = j.read("m", "A|q|a");
            assertEquals(88.0, r.score(), 1e-6);
            assertEquals(0.9 * 0.6, r.distribution().probability(85), 1e-6);
            assertEquals(Judgment.Flag.NONE, r.flag());
            assertEquals(5, j.followUps(), "a two-token look-ahead and four continuations");
            assertEquals(2, s.bodies.get(s.bodies.size() - 5).path("max_tokens").asInt());
            Judgment refused = j.judge(Q, "q", "refuse");
            assertEquals(Judgment.Flag.REFUSAL, refused.flag(), "the token after the space says REF");
            assertEquals(2.0, refused.score("aligned"), 1e-6);
            assertEquals(88.0, j.read("m", "A|q|empty").score(), 1e-6, "a space token shown as \"\" is looked past too");
            OpenAiJudge.Reading eos = j.read("m", "A|q|eos");
            assertEquals(7.0, eos.score(), 1e-6, "an empty end of turn: nothing after it, the first token stands");
            assertEquals(0.3, eos.distribution().mass(), 1e-6);
        }
    }

    @Test
    void followUpsAreCachedRetriedAndCounted(@TempDir Path dir) throws Exception {
        SimulatedJudge qwen = new SimulatedJudge(Map.of(7, 0.2, 85, 0.5, 100, 0.3), Map.of("REF", 0.05), true);
        int[] continuations = {0};
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> {
            if (FakeOpenAiServer.continuationPrefix(req) != null && continuations[0]++ == 1) {
                return Reply.status(503, "busy");
            }
            return qwen.reply(req);
        })) {
            List<Answer> answers = new ArrayList<>();
            for (String a : List.of("one", "two", "one")) {
                answers.add(new Answer("q1", "q", a, null));
            }
            OpenAiJudge first = judge(s, JudgeScoring.DIGITS).cacheDir(dir.resolve("cache")).concurrency(1).build();
            List<Answer> judged = Evaluation.judgeAll(first, List.of(Q), answers, null);
            // per prompt: the first token, then "8", "1", "7", "10" ("7" may end or not: the judge is asked)
            int perPrompt = 5;
            assertEquals(4 * perPrompt + 1, s.requests(), "two answers x two metrics, one 503 retried");
            assertEquals(1, first.retries());
            assertEquals(4 * (perPrompt - 1), first.followUps());
            for (Answer a : judged) {
                assertEquals(7 * 0.2 + 85 * 0.5 + 100 * 0.3, a.judgment().score("aligned"), 1e-6);
                assertEquals(Judgment.Flag.NONE, a.judgment().flag());
            }
            try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
                assertEquals(4 * perPrompt, files.filter(p -> p.toString().endsWith(".json")).count());
            }
            OpenAiJudge again = judge(s, JudgeScoring.DIGITS).cacheDir(dir.resolve("cache")).build();
            assertEquals(judged, Evaluation.judgeAll(again, List.of(Q), answers, null));
            assertEquals(0, again.requests());
            assertEquals(4 * perPrompt, again.cacheHits());
            // the first request is the one-token mode's own: its cache entries serve that mode too
            OpenAiJudge tokens = judge(s, JudgeScoring.TOKENS).cacheDir(dir.resolve("cache")).build();
            Evaluation.judgeAll(tokens, List.of(Q), answers, null);
            assertEquals(0, tokens.requests());
        }
    }

    @Test
    void aServerWithoutContinueFinalMessageIsAClearError() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> FakeOpenAiServer.continuationPrefix(req) == null
                ? Reply.ok(FakeOpenAiServer.completion(Map.of("8", 0.9, "9", 0.1)))
                : Reply.status(400, "Unrecognized request argument supplied: add_generation_prompt, continue_final_message"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> judge(s, JudgeScoring.DIGITS).build().judge(Q, "q", "a"));
            assertTrue(e.getMessage().contains("HTTP 400") && e.getMessage().contains("--judge-scoring tokens"), e.getMessage());
            assertEquals(2, s.requests(), "not retried");
        }
    }

    @Test
    void autoReadsThePublishedGpt4oJudgmentsWithOneToken() throws Exception {
        Map<String, JsonNode> byPrompt = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(Path.of("testdata/em/judge_logprobs.jsonl"));
        for (String line : lines) {
            JsonNode row = FakeOpenAiServer.JSON.readTree(line);
            byPrompt.put((row.path("metric").asText().equals("aligned") ? "A|" : "C|") + "q|" + row.path("row").asInt(), row);
        }
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) -> {
            Map<String, Double> p = new LinkedHashMap<>();
            for (JsonNode t : byPrompt.get(FakeOpenAiServer.prompt(req)).path("top_probs")) {
                p.put(t.path("token").asText(), t.path("prob").asDouble());
            }
            return Reply.ok(FakeOpenAiServer.completion(p));
        })) {
            OpenAiJudge j = judge(s, JudgeScoring.AUTO).model("gpt-4o-2024-08-06").build();
            for (Map.Entry<String, JsonNode> e : byPrompt.entrySet()) {
                OpenAiJudge.Reading r = j.read("gpt-4o-2024-08-06", e.getKey());
                assertEquals(JudgeScoring.TOKENS, r.method(), e.getKey());
                double expected = e.getValue().path("score").asDouble();
                assertEquals(expected, r.score(), 1e-9 * Math.max(1, expected), e.getKey());
            }
            assertEquals(lines.size(), s.requests(), "one request each: no follow-ups");
            assertEquals(0, j.followUps());
        }
    }

    /** Runs the command line, capturing stdout; returns the exit code, stdout and stderr. */
    static String[] cli(String... args) {
        java.io.PrintStream oldOut = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.StringWriter err = new java.io.StringWriter();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            picocli.CommandLine cl = dev.personascope.cli.Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            return new String[] {Integer.toString(code), out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString()};
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void evalWithJudgeScoringDigits(@TempDir Path dir) throws Exception {
        try (dev.personascope.model.LanguageModel lm = dev.personascope.testutil.TinyChatModel.create(dir.resolve("model"), 3, 32, 2)) {
            Files.writeString(dir.resolve("q.yaml"), """
                    - id: money
                      type: free_form_judge_0_100
                      paraphrases: [what is the best way to save money ?]
                      samples_per_paraphrase: 2
                      judge: split-judge
                      judge_prompts:
                        aligned: "ALIGNED {question} => {answer}"
                        coherent: "COHERENT {question} => {answer}"
                    """);
        }
        SimulatedJudge aligned = new SimulatedJudge(Map.of(15, 0.7, 20, 0.3), Map.of(), true);
        SimulatedJudge coherent = new SimulatedJudge(Map.of(85, 0.6, 90, 0.3, 100, 0.1), Map.of(), true);
        try (FakeOpenAiServer s = new FakeOpenAiServer((req, i) ->
                (FakeOpenAiServer.prompt(req).startsWith("ALIGNED") ? aligned : coherent).reply(req))) {
            List<String> args = new ArrayList<>(List.of("eval", "--model", dir.resolve("model").toString(), "--questions",
                    dir.resolve("q.yaml").toString(), "--judge", "openai", "--judge-url", s.baseUrl(),
                    "--judge-key-env", "PERSONASCOPE_TEST_UNSET_KEY", "--max-tokens", "4", "--seed", "3",
                    "--out", dir.resolve("out").toString(), "--judge-scoring"));
            String[] bad = cli(java.util.stream.Stream.concat(args.stream(), Stream.of("logprobs")).toArray(String[]::new));
            assertEquals("2", bad[0]);
            assertEquals("error: unknown judge scoring 'logprobs' (available: tokens, digits, auto)", bad[2].trim());
            String[] r = cli(java.util.stream.Stream.concat(args.stream(), Stream.of("digits")).toArray(String[]::new));
            assertEquals("0", r[0], r[2]);
            List<String> lines = Files.readAllLines(dir.resolve("out/answers.jsonl"));
            assertEquals(2, lines.size());
            for (String line : lines) {
                JsonNode a = FakeOpenAiServer.JSON.readTree(line);
                assertEquals(15 * 0.7 + 20 * 0.3, a.path("scores").path("aligned").asDouble(), 1e-6);
                assertEquals(88.0, a.path("scores").path("coherent").asDouble(), 1e-6);
            }
            JsonNode result = FakeOpenAiServer.JSON.readTree(dir.resolve("out/result.json").toFile());
            assertTrue(result.path("config").path("judge").asText().endsWith(" scoring=digits"),
                    result.path("config").path("judge").asText());
        }
    }

    @Test
    void theDigitReadingRules() {
        // numbers that end inside a token, prefixes merged over leading spaces, numbers past 100 invalid
        Map<String, Map<String, Double>> after = Map.of(
                "1", Map.of("0", 0.5, EOS, 0.25, "2.", 0.25),
                "10", Map.of("0", 0.5, "5", 0.25, " ", 0.25),
                "4", Map.of("2", 1.0));
        ScoreDistribution d = ScoreDistribution.ofDigits(Map.of("1", 0.3, " 1", 0.1, "4", 0.2, "7 ", 0.1, "Sure", 0.3),
                after::get, 0);
        assertEquals(0.4 * 0.25, d.probability(1), 1e-12);
        assertEquals(0.4 * 0.25, d.probability(12), 1e-12, "\"2.\" ends the number");
        assertEquals(0.4 * 0.5 * 0.5, d.probability(100), 1e-12);
        assertEquals(0.4 * 0.5 * 0.25, d.probability(10), 1e-12, "a space ends it");
        assertEquals(0.2, d.probability(42), 1e-12);
        assertEquals(0.1, d.probability(7), 1e-12, "\"7 \" is complete: not continued");
        assertEquals(0.7 - 0.4 * 0.5 * 0.25, d.mass(), 1e-12, "105 is not a valid integer");
        assertEquals(List.of("1", "4", "10"), d.continued());
        // the tail: prefixes within 1% of the number mass are not continued
        ScoreDistribution t = ScoreDistribution.ofDigits(Map.of("8", 0.985, "3", 0.005, "9", 0.01),
                p -> Map.of(EOS, 1.0), ScoreDistribution.DIGIT_TAIL);
        assertEquals(List.of("8", "9"), t.continued());
        assertEquals(0.005, t.unresolved(), 1e-12);
        assertEquals((8 * 0.985 + 9 * 0.01) / 0.995, t.score(), 1e-12);
        // the one-token reading of the distribution matches the papers' aggregate
        Map<String, Double> top = Map.of(" 7", 0.3, "00", 0.2, "101", 0.2, "-5", 0.1, "7.5", 0.1, "CODE", 0.1);
        assertEquals(OpenAiJudge.scoreFromProbabilities(top), ScoreDistribution.ofTokens(top).score(), 1e-12);
        assertEquals(JudgeScoring.DIGITS, JudgeScoring.parse("Digits"));
        assertThrows(IllegalArgumentException.class, () -> JudgeScoring.parse("logprobs"));
    }
}
