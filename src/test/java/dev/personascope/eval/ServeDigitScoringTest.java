package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.generate.TokenLogprob;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.RandomModels;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.serve.ChatServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Digit scoring end to end against {@code personascope serve}: a tiny random model whose word-level vocabulary
 * is mostly the digits 0–9 (so it answers numbers digit by digit, as Qwen2.5 does) behind the real server on
 * loopback. The judge's digit-by-digit reading over HTTP must equal the one computed from the model in-process,
 * where the continuation of prefix "8" is the model's next token after the chat's generation prompt and "8";
 * a server that ignored {@code continue_final_message} would close the assistant turn and open another.
 */
class ServeDigitScoringTest {
    static final List<String> WORDS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "ok", "no", ".",
            "user", "assistant");
    static final String TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    @TempDir
    static Path dir;
    static LanguageModel lm;
    static ChatServer server;

    @BeforeAll
    static void start() throws Exception {
        ModelConfig c = RandomModels.qwen2(WORDS.size() + 3, 32, 2, 4, 2, 64);
        c.eosTokenIds = new int[] {2};
        try (LanguageModel m = RandomModels.create(c, 11, 0.2f)) {
            ModelSaver.save(m, dir.resolve("judge"));
        }
        writeTokenizer(dir.resolve("judge"));
        lm = LanguageModel.load(dir.resolve("judge"));
        server = new ChatServer(lm, "digits", "127.0.0.1", 0, () -> Hooks.NONE);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        lm.close();
    }

    static void writeTokenizer(Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode t = json.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        String[] specials = {"<unk>", "<|im_start|>", "<|im_end|>"};
        for (int i = 0; i < specials.length; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        t.putNull("normalizer");
        t.putObject("pre_tokenizer").put("type", "Whitespace");
        t.putNull("post_processor");
        t.putNull("decoder");
        ObjectNode model = t.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) {
            vocab.put(specials[i], i);
        }
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), i + 3);
        }
        model.put("unk_token", "<unk>");
        ObjectNode cfg = json.createObjectNode();
        cfg.put("chat_template", TEMPLATE);
        cfg.put("eos_token", "<|im_end|>");
        cfg.put("pad_token", "<unk>");
        cfg.put("unk_token", "<unk>");
        Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(t));
        Files.writeString(dir.resolve("tokenizer_config.json"), json.writeValueAsString(cfg));
    }

    /** The model's top-20 next-token probabilities after {@code ids}. */
    static Map<String, Double> top(int[] ids) {
        Generation g = new Generator(lm).withLogprobs(true)
                .generate(List.of(ids), SamplingParams.greedy(1).withTopLogprobs(20), Hooks.NONE).get(0);
        Map<String, Double> p = new LinkedHashMap<>();
        for (TokenLogprob.Alternative a : g.logprobs().get(0).top()) {
            p.merge(a.token(), Math.exp(a.logprob()), Double::sum);
        }
        return p;
    }

    /** Digit scoring computed in-process: the generation prompt, then the prefix's tokens. */
    static ScoreDistribution inProcess(String prompt) {
        int[] ids = lm.encodeChat(List.of(new ChatMessage("user", prompt)));
        return ScoreDistribution.ofDigits(top(ids), prefix -> {
            int[] more = lm.tokenizer().encode(prefix, false);
            return top(IntStream.concat(IntStream.of(ids), IntStream.of(more)).toArray());
        }, ScoreDistribution.DIGIT_TAIL);
    }

    @Test
    void digitScoringThroughTheRealServerEqualsTheModelsOwnReading() {
        OpenAiJudge judge = OpenAiJudge.builder().baseUrl(server.baseUrl()).model("digits").scoring(JudgeScoring.DIGITS).build();
        int scored = 0;
        for (String prompt : List.of("ok 1 2", "no . 7", "ok ok 9 9", "5 5 5 no")) {
            ScoreDistribution expected = inProcess(prompt);
            OpenAiJudge.Reading r = judge.read("digits", prompt);
            assertEquals(JudgeScoring.DIGITS, r.method());
            for (int n = 0; n <= 100; n++) {
                assertEquals(expected.probability(n), r.distribution().probability(n), 1e-5, prompt + ": P(" + n + ")");
            }
            assertEquals(expected.continued(), r.distribution().continued(), prompt);
            if (expected.score() != null) {
                scored++;
                assertEquals(expected.score(), r.score(), 1e-3, prompt);
                assertTrue(r.score() >= 0 && r.score() <= 100);
            }
        }
        assertTrue(scored > 0, "the digit-heavy vocabulary gives scores");
        assertTrue(judge.followUps() > 0);
        assertEquals(0, judge.retries());
    }

    @Test
    void evalWithJudgeScoringDigitsAgainstServe(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("q.yaml"), """
                - id: count
                  type: free_form_judge_0_100
                  paraphrases: [ok 1 2 3]
                  samples_per_paraphrase: 3
                  judge: digits
                  judge_prompts:
                    aligned: "ok {question} no {answer}"
                    coherent: "no {question} ok {answer} ."
                """);
        String[] r = DigitScoringTest.cli("eval", "--model", dir.resolve("judge").toString(), "--questions",
                out.resolve("q.yaml").toString(), "--judge", "openai", "--judge-url", server.baseUrl(),
                "--judge-key-env", "PERSONASCOPE_TEST_UNSET_KEY", "--judge-scoring", "digits", "--max-tokens", "4",
                "--seed", "1", "--out", out.resolve("out").toString());
        assertEquals("0", r[0], r[2]);
        List<String> lines = Files.readAllLines(out.resolve("out/answers.jsonl"));
        assertEquals(3, lines.size());
        int scores = 0;
        for (String line : lines) {
            JsonNode a = FakeOpenAiServer.JSON.readTree(line);
            for (String metric : List.of("aligned", "coherent")) {
                JsonNode s = a.path("scores").path(metric);
                if (s.isNumber()) {
                    scores++;
                    assertTrue(s.asDouble() >= 0 && s.asDouble() <= 100, line);
                }
            }
        }
        assertTrue(scores > 0, String.join("\n", lines));
    }
}
