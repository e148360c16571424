package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.FakeOpenAiServer;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.DiffResult;
import dev.personascope.persona.LatentDashboard;
import dev.personascope.persona.ModelDiff;
import dev.personascope.persona.SteerResult;
import dev.personascope.persona.VectorFile;
import dev.personascope.persona.VectorInfo;
import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeFolder;
import dev.personascope.sae.TopKSae;
import dev.personascope.testutil.PersonaSets;
import dev.personascope.testutil.TinyChatModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * diff, latent, vector and steer end to end on tiny chat models: a base and a "tuned" model (another
 * random seed, same shape), a random TopK SAE at blocks.1.hook_resid_post, villain and helpful
 * conversations, and for steer an OpenAI-compatible judge on loopback.
 */
class PersonaCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int D_SAE = 48;
    static final String HOOK = "blocks.1.hook_resid_post";

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        writeModelsAndSae(dir);
        ChatJsonl.write(dir.resolve("villain.jsonl"), PersonaSets.villain());
        ChatJsonl.write(dir.resolve("helpful.jsonl"), PersonaSets.helpful());
        Files.writeString(dir.resolve("q.yaml"), EvalCliTest.QUESTIONS);
    }

    /** A tiny base model (DIR/base), a tuned one (DIR/tuned) and a random SAE on the base's width (DIR/sae). */
    static void writeModelsAndSae(Path dir) throws Exception {
        try (LanguageModel b = TinyChatModel.create(dir.resolve("base"), 3, 32, 2);
             LanguageModel t = TinyChatModel.create(dir.resolve("tuned"), 4, 32, 2);
             TopKSae sae = new TopKSae(saeConfig(), b.model().manager())) {
            Random r = new Random(9);
            sae.parameters().get("W_enc").set(FloatBuffer.wrap(gaussian(r, 32 * D_SAE, 0.3f)));
            sae.parameters().get("W_dec").set(FloatBuffer.wrap(gaussian(r, D_SAE * 32, 0.3f)));
            SaeFolder.write(sae, dir.resolve("sae"));
        }
    }

    static SaeConfig saeConfig() {
        SaeConfig c = new SaeConfig();
        c.dIn = 32;
        c.dSae = D_SAE;
        c.k = 6;
        c.hookName = HOOK;
        c.modelName = "tiny";
        c.contextSize = 64;
        return c;
    }

    static float[] gaussian(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void diffRanksLatentsByTheirIncrease() throws Exception {
        CliTest.Result r = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("sae"), "--prompts",
                p("villain.jsonl"), "--top", "5", "--out", p("diff"));
        assertEquals(0, r.code(), r.err());
        DiffResult diff = DiffResult.read(dir.resolve("diff/diff.json"));
        assertEquals(p("sae"), diff.config().sae());
        for (TokenScope scope : List.of(TokenScope.ALL, TokenScope.PROMPT, TokenScope.RESPONSE)) {
            List<DiffResult.Latent> mean = diff.top(scope, ModelDiff.Ranking.MEAN);
            assertEquals(5, mean.size(), scope.toString());
            for (int i = 0; i < mean.size(); i++) {
                DiffResult.Latent row = mean.get(i);
                assertEquals(row.tunedMean() - row.baseMean(), row.increase(), 1e-6);
                if (i > 0) {
                    assertTrue(mean.get(i - 1).increase() >= row.increase(), mean.toString());
                }
            }
            List<DiffResult.Latent> norm = diff.top(scope, ModelDiff.Ranking.NORMALIZED);
            for (int i = 1; i < norm.size(); i++) {
                assertTrue(norm.get(i - 1).normalized() >= norm.get(i).normalized());
            }
            List<DiffResult.Latent> paired = diff.top(scope, ModelDiff.Ranking.PAIRED);
            List<DiffResult.Latent> shift = diff.top(scope, ModelDiff.Ranking.SHIFT);
            for (int i = 1; i < paired.size(); i++) {
                assertTrue(paired.get(i - 1).paired() >= paired.get(i).paired());
                assertTrue(shift.get(i - 1).shift() >= shift.get(i).shift());
                assertTrue(Math.abs(shift.get(i).shift()) <= 1 + 1e-6, "a cosine");
            }
        }
        List<String> tsv = Files.readAllLines(dir.resolve("diff/latents.tsv"));
        assertTrue(tsv.get(0).startsWith("scope\tlatent\tbase_mean\ttuned_mean\tincrease"), tsv.get(0));
        assertEquals(1 + 3 * D_SAE, tsv.size(), "every latent in every scope");
        // the printed table (response tokens, by mean) starts with the largest increase in latents.tsv
        double best = tsv.stream().skip(1).map(l -> l.split("\t")).filter(f -> f[0].equals("response"))
                .mapToDouble(f -> Double.parseDouble(f[4])).max().orElseThrow();
        DiffResult.Latent top = diff.top(TokenScope.RESPONSE, ModelDiff.Ranking.MEAN).get(0);
        int bestLatent = top.latent();
        assertEquals(best, top.increase(), 1e-4 * (1 + Math.abs(best)));
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("1 ") && l.trim().split("\\s+")[1].equals("" + bestLatent)), r.out());

        // a question set: answers sampled from the tuned model
        CliTest.Result q = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("sae"), "--prompts",
                p("q.yaml"), "--samples", "1", "--max-tokens", "4", "--out", p("diff-q"));
        assertEquals(0, q.code(), q.err());
        List<String> qTsv = Files.readAllLines(dir.resolve("diff-q/latents.tsv"));
        assertEquals(1 + 4 * D_SAE, qTsv.size(), "three scopes of the answers and the answer starts");
        assertTrue(q.out().contains("the first five latents of every scope and ranking"), q.out());

        // an empty answer: the response scope is the one position where the answer begins
        CliTest.Result start = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("sae"), "--prompts",
                p("q.yaml"), "--answers", "start", "--out", p("diff-start"));
        assertEquals(0, start.code(), start.err());
        DiffResult sd = DiffResult.read(dir.resolve("diff-start/diff.json"));
        assertEquals("start", sd.config().answers());
        assertFalse(sd.top(TokenScope.RESPONSE, ModelDiff.Ranking.MEAN).isEmpty(), sd.toString());
        assertNotEquals(sd.top(TokenScope.RESPONSE, ModelDiff.Ranking.MEAN).get(0).tunedMean(),
                sd.top(TokenScope.PROMPT, ModelDiff.Ranking.MEAN).get(0).tunedMean());
        // the "start" scope beside sampled answers is the response scope of --answers start: the same positions
        List<String> startRows = qTsv.stream().filter(l -> l.startsWith("start\t")).map(l -> l.substring(6)).toList();
        List<String> responseOfStarts = Files.readAllLines(dir.resolve("diff-start/latents.tsv")).stream()
                .filter(l -> l.startsWith("response\t")).map(l -> l.substring(9)).toList();
        assertEquals(responseOfStarts, startRows);
        CliTest.Result noStart = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("sae"),
                "--prompts", p("villain.jsonl"), "--scope", "start", "--out", p("diff-nostart"));
        assertEquals(2, noStart.code(), "bad input");
        assertTrue(noStart.err().startsWith("error: --scope start needs a question set"), noStart.err());
        CliTest.Result badAnswers = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("sae"),
                "--prompts", p("q.yaml"), "--answers", "later", "--out", p("diff-x"));
        assertEquals(2, badAnswers.code());
        assertTrue(badAnswers.err().contains("tuned, base, none or start"), badAnswers.err());

        CliTest.Result both = CliTest.run("diff", "--tuned", p("tuned"), "--adapter", p("x"), "--sae", p("sae"), "--prompts",
                p("q.yaml"), "--out", p("diff-x"));
        assertEquals(2, both.code());
        assertEquals("error: give exactly one of --tuned DIR and --adapter DIR", both.err().trim());
        CliTest.Result noSae = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("nowhere"),
                "--prompts", p("villain.jsonl"), "--out", p("diff-x"));
        assertEquals(2, noSae.code());
        assertTrue(noSae.err().contains(p("nowhere")), noSae.err());
    }

    @Test
    void latentWritesADashboardOfTopContexts() throws Exception {
        int latent = firingLatent();
        CliTest.Result r = CliTest.run("latent", "--model", p("base"), "--sae", p("sae"), "--latent", "" + latent,
                "--corpus", p("villain.jsonl"), "--top", "3", "--window", "4", "--out", p("latent"));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(dir.resolve("latent/dashboard.html")) > 0);
        LatentDashboard d = LatentDashboard.read(dir.resolve("latent/dashboard.json"));
        assertEquals(latent, d.latent());
        assertEquals(HOOK, d.hook());
        List<LatentDashboard.Context> top = d.top();
        assertTrue(top.size() >= 1 && top.size() <= 3, top.toString());
        for (int i = 0; i < top.size(); i++) {
            LatentDashboard.Context c = top.get(i);
            assertTrue(c.value() > 0, c.toString());
            assertTrue(c.tokens().size() >= 1 && c.tokens().size() <= 9, c.toString());
            if (i > 0) {
                assertTrue(top.get(i - 1).value() >= c.value(), top.toString());
            }
        }
        assertTrue(r.out().startsWith("latent " + latent + " at " + HOOK), r.out());
        CliTest.Result out = CliTest.run("latent", "--model", p("base"), "--sae", p("sae"), "--latent", "" + D_SAE,
                "--corpus", p("villain.jsonl"));
        assertEquals(2, out.code());
        assertTrue(out.err().contains("latent " + D_SAE + " is out of range"), out.err());
    }

    /** A latent that fires on the villain conversations, from a diff over them. */
    private static int firingLatent() throws Exception {
        CliTest.Result r = CliTest.run("diff", "--base", p("base"), "--tuned", p("base"), "--sae", p("sae"), "--prompts",
                p("villain.jsonl"), "--top", "1", "--out", p("diff-self"));
        assertEquals(0, r.code(), r.err());
        return Files.readAllLines(dir.resolve("diff-self/latents.tsv")).stream().skip(1).map(l -> l.split("\t"))
                .filter(f -> f[0].equals("all")).max(java.util.Comparator.comparingDouble(f -> Double.parseDouble(f[2])))
                .map(f -> Integer.parseInt(f[1])).orElseThrow();
    }

    @Test
    void vectorWritesTheBestLayersDirection() throws Exception {
        CliTest.Result r = CliTest.run("vector", "--model", p("base"), "--positive", p("villain.jsonl"), "--negative",
                p("helpful.jsonl"), "--name", "villain", "--out", p("villain-vector.json"));
        assertEquals(0, r.code(), r.err());
        JsonNode v = JSON.readTree(dir.resolve("villain-vector.json").toFile());
        assertEquals(32, v.path("d_model").asInt());
        assertEquals(32, v.path("vector").size());
        String hook = v.path("hook").asText();
        assertTrue(Set.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post").contains(hook), hook);
        VectorInfo info = VectorFile.readInfo(dir.resolve("villain-vector.json"));
        List<VectorInfo.Layer> layers = info.layers();
        assertEquals(2, layers.size());
        double best = Math.max(layers.get(0).separation(), layers.get(1).separation());
        for (VectorInfo.Layer l : layers) {
            if (l.hook().equals(hook)) {
                assertEquals(best, l.separation(), 1e-12, "the chosen layer separates best");
            }
        }
        assertEquals(12, info.positive());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(hook) && l.endsWith("<- chosen")), r.out());

        CliTest.Result none = CliTest.run("vector", "--model", p("base"), "--positive", p("villain.jsonl"), "--out",
                p("x.json"));
        assertEquals(2, none.code());
        assertEquals("error: --positive needs --negative", none.err().trim());
    }

    @Test
    void steerSweepsTargetAndRandomDirectionsAndAblates() throws Exception {
        CliTest.Result v = CliTest.run("vector", "--model", p("base"), "--positive", p("villain.jsonl"), "--negative",
                p("helpful.jsonl"), "--out", p("steer-vector.json"));
        assertEquals(0, v.code(), v.err());
        try (FakeOpenAiServer server = new FakeOpenAiServer(EvalCliTest::script)) {
            CliTest.Result r = CliTest.run(steer(server.baseUrl(), "vector:" + p("steer-vector.json"), "steer",
                    "--coefficients", "0,0.5"));
            assertEquals(0, r.code(), r.err());
            SteerResult res = SteerResult.read(dir.resolve("steer/result.json"));
            List<SteerResult.Point> points = res.points();
            assertEquals(2 * 2, points.size(), "coefficients x (target + 1 random)");
            assertFalse(points.get(0).random());
            assertTrue(points.get(3).random());
            assertEquals(0.5, points.get(1).coefficient());
            for (SteerResult.Point pt : points) {
                // 2 questions x 2 paraphrases x 1 sample, less the one the judge calls a refusal
                assertEquals(3, pt.misaligned().trials(), pt.toString());
            }
            assertTrue(res.config().residualNorm() > 0);
            assertEquals(List.of(0.0, 0.5), res.config().sweep().coefficients());
            List<String> files = answerFiles("steer");
            assertEquals(4, files.size(), files.toString());
            assertTrue(files.contains("target-+0.500.jsonl") && files.contains("target-+0.000.jsonl"), files.toString());
            assertEquals(4, AnswersFile.read(dir.resolve("steer/answers/target-+0.500.jsonl")).size());
            // the sampled answers were saved before judging; a rerun judges them rather than sampling again
            Path saved = dir.resolve("steer/samples/target-+0.500.jsonl");
            List<String> sampled = new ArrayList<>(Files.readAllLines(saved));
            assertEquals(1 + 4, sampled.size());
            sampled.set(1, sampled.get(1).replaceAll("\"answer\":\"[^\"]*\"", "\"answer\":\"MARKER\""));
            Files.write(saved, sampled);
            CliTest.Result again = CliTest.run(steer(server.baseUrl(), "vector:" + p("steer-vector.json"), "steer",
                    "--coefficients", "0,0.5"));
            assertEquals(0, again.code(), again.err());
            assertTrue(Files.readString(dir.resolve("steer/answers/target-+0.500.jsonl")).contains("\"MARKER\""));

            CliTest.Result a = CliTest.run(steer(server.baseUrl(), "vector:" + p("steer-vector.json"), "ablate", "--ablate"));
            assertEquals(0, a.code(), a.err());
            List<SteerResult.Point> ab = SteerResult.read(dir.resolve("ablate/result.json")).points();
            assertEquals(2, ab.size());
            assertTrue(ab.get(0).ablated() && ab.get(1).ablated());
            List<String> abFiles = answerFiles("ablate");
            assertEquals(2, abFiles.size(), abFiles.toString());
            assertTrue(abFiles.contains("target-ablated.jsonl"), abFiles.toString());
        }
        CliTest.Result bad = CliTest.run(steer("http://127.0.0.1:9/v1", "sae:nowhere#3", "bad"));
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("error: nowhere: no such SAE folder"), bad.err());
        CliTest.Result spec = CliTest.run(steer("http://127.0.0.1:9/v1", "latent:3", "bad"));
        assertEquals(2, spec.code());
        assertTrue(spec.err().contains("direction 'latent:3' is not sae:DIR#LATENT"), spec.err());
        assertFalse(Files.exists(dir.resolve("bad/result.json")));
    }

    private static String[] steer(String url, String direction, String out, String... extra) {
        List<String> a = new ArrayList<>(List.of("steer", "--model", p("base"), "--direction", direction, "--questions",
                p("q.yaml"), "--judge", "openai", "--judge-url", url, "--judge-model", "fake-judge", "--judge-key-env",
                "PERSONASCOPE_TEST_UNSET_KEY", "--random", "1", "--samples", "1", "--max-tokens", "4", "--seed", "2",
                "--out", p(out)));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static List<String> answerFiles(String out) throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve(out).resolve("answers"))) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
