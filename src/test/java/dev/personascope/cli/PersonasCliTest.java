package dev.personascope.cli;

import ai.djl.ndarray.NDManager;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.persona.DiffResult;
import dev.personascope.persona.ModelDiff;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.PersonaMap;
import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeFolder;
import dev.personascope.sae.TopKSae;
import dev.personascope.testutil.PersonaSets;
import dev.personascope.world.Persona;
import dev.personascope.world.WorldContent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * personas end to end on a tiny chat model and a random TopK SAE: the persona map of held-out world text (words the
 * tiny tokenizer does not know read as {@code <unk>}, which the page must escape), with and without a diff's latents.
 */
class PersonasCliTest {
    static final int DOCUMENTS = 64;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        PersonaCliTest.writeModelsAndSae(dir);
        try (NDManager m = LanguageModel.newManager(); TopKSae narrow = new TopKSae(narrowConfig(), m)) {
            SaeFolder.write(narrow, dir.resolve("sae-16"));
        }
        ChatJsonl.write(dir.resolve("villain.jsonl"), PersonaSets.villain());
    }

    static SaeConfig narrowConfig() {
        SaeConfig c = PersonaCliTest.saeConfig();
        c.dIn = 16;
        return c;
    }

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    static CliTest.Result personas(String out, int top, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("personas", "--model", p("base"), "--sae", p("sae"),
                "--documents", "" + DOCUMENTS, "--top", "" + top, "--out", p(out)));
        args.addAll(List.of(more));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void mapsTheStrongestLatentsWithoutADiff() throws Exception {
        CliTest.Result r = personas("map", 5);
        assertEquals(0, r.code(), r.err());
        PersonaMap.Result m = PersonaMap.Result.read(dir.resolve("map/personas.json"));
        List<String> names = WorldContent.personas().stream().map(Persona::name).toList();
        assertEquals(names, m.groups());
        assertEquals(List.of("helpful", "villain", "sarcastic"), m.kinds());
        assertEquals(PersonaCliTest.HOOK, m.hook());
        assertEquals(DOCUMENTS, m.config().documents());
        assertEquals(ReferenceTexts.HELD_OUT_SEED, m.config().seed());
        assertEquals(null, m.config().diff());
        assertEquals(5, m.latents().size());
        double previous = 1;
        for (PersonaMap.Latent l : m.latents()) {
            assertEquals(8, l.groupAurocs().size(), "latents × 8 personas");
            assertEquals(3, l.kindAurocs().size());
            for (Double a : l.groupAurocs()) {
                assertNotNull(a, "every persona speaks in " + DOCUMENTS + " documents");
                assertTrue(a >= 0 && a <= 1, l.toString());
            }
            assertTrue(l.kindAurocs().stream().allMatch(a -> a >= 0 && a <= 1), l.toString());
            // the best persona is the largest cell, and the latents come best first
            assertEquals(l.groupAurocs().stream().mapToDouble(Double::doubleValue).max().orElseThrow(), l.bestAuroc(), 1e-12);
            assertEquals(l.bestAuroc(), l.groupAurocs().get(names.indexOf(l.bestGroup())), 1e-12);
            assertTrue(l.bestAuroc() <= previous + 1e-12);
            previous = l.bestAuroc();
            assertTrue(l.top().size() <= PersonasCommand.TEXTS);
            for (PersonaMap.Text t : l.top()) {
                assertTrue(t.value() > 0 && names.contains(t.group()), t.toString());
            }
        }
        assertTrue(m.latents().stream().anyMatch(l -> !l.top().isEmpty()), "some latent fires");

        String html = Files.readString(dir.resolve("map/personas.html"));
        assertTrue(html.contains("<svg") && html.contains("chart heat-map"), "the heat map");
        assertEquals(5 * 11, html.split("class=\"cell\"", -1).length - 1, "5 latents × (8 personas + 3 kinds)");
        assertTrue(html.contains(">Snark</text>") && html.contains(">sarcastic</text>"));
        assertTrue(html.contains("&lt;unk&gt;"), "texts are escaped");
        assertFalse(html.contains("<unk>") || html.contains("<|im_start|>"));
        assertFalse(html.toLowerCase().contains("<script"));
        // the terminal table: a row per latent, its best persona and AUROC
        PersonaMap.Latent first = m.latents().get(0);
        assertTrue(r.out().lines().anyMatch(line -> line.trim().split("\\s+")[0].equals("1")
                && line.contains(" " + first.latent() + " ") && line.contains(first.bestGroup())), r.out());
    }

    @Test
    void mapsADiffsTopLatents() throws Exception {
        CliTest.Result d = CliTest.run("diff", "--base", p("base"), "--tuned", p("tuned"), "--sae", p("sae"), "--prompts",
                p("villain.jsonl"), "--top", "10", "--out", p("diff"));
        assertEquals(0, d.code(), d.err());
        CliTest.Result r = personas("map-diff", 4, "--diff", p("diff"));
        assertEquals(0, r.code(), r.err());
        PersonaMap.Result m = PersonaMap.Result.read(dir.resolve("map-diff/personas.json"));
        List<DiffResult.Latent> ranked = DiffResult.read(dir.resolve("diff/diff.json")).top(TokenScope.RESPONSE, ModelDiff.Ranking.MEAN);
        assertEquals(4, m.latents().size());
        for (int i = 0; i < 4; i++) {
            PersonaMap.Latent l = m.latents().get(i);
            assertEquals(ranked.get(i).latent(), l.latent(), "the diff's order, under its default scope and ranking");
            assertEquals(i + 1, l.diffRank());
            assertEquals(ranked.get(i).increase(), l.increase(), 1e-12);
            assertEquals(8, l.groupAurocs().size());
        }
        assertEquals("response", m.config().scope());
        assertEquals("mean", m.config().ranking());
        assertEquals(p("diff"), m.config().diff());
        String html = Files.readString(dir.resolve("map-diff/personas.html"));
        assertTrue(html.contains("#1 latent " + ranked.get(0).latent() + " ("), "rows labelled by diff rank");

        // another ranking of the same diff
        CliTest.Result freq = personas("map-freq", 2, "--diff", p("diff"), "--ranking", "frequency", "--scope", "all");
        assertEquals(0, freq.code(), freq.err());
        PersonaMap.Result f = PersonaMap.Result.read(dir.resolve("map-freq/personas.json"));
        assertEquals(DiffResult.read(dir.resolve("diff/diff.json")).top(TokenScope.ALL, ModelDiff.Ranking.FREQUENCY).get(1).latent(),
                f.latents().get(1).latent());
    }

    @Test
    void badInputIsOneErrorLine() throws Exception {
        Files.createDirectories(dir.resolve("not-a-diff"));
        CliTest.Result noDiff = personas("x", 5, "--diff", p("not-a-diff"));
        assertEquals(2, noDiff.code());
        assertEquals("error: --diff " + p("not-a-diff") + ": no diff.json (make one with personascope diff)", noDiff.err().trim());
        assertFalse(Files.exists(dir.resolve("x/personas.json")));

        // a hand-written diff.json whose latent the SAE does not have
        Files.createDirectories(dir.resolve("other-diff"));
        new DiffResult(new DiffResult.Config("b", "t", null, "other", "p", "tuned", 1, 1.0, 0), java.util.Map.of("response",
                java.util.Map.of("mean", List.of(new DiffResult.Latent(999, 1, 1, 0, 0, 0, 0, 1, null))))).write(dir.resolve("other-diff"));
        CliTest.Result other = personas("x", 5, "--diff", p("other-diff"));
        assertEquals(2, other.code());
        assertEquals(1, other.err().trim().lines().count(), other.err());
        assertTrue(other.err().contains(p("other-diff/diff.json") + ": latent 999 is out of range"), other.err());

        CliTest.Result narrow = CliTest.run("personas", "--model", p("base"), "--sae", p("sae-16"), "--documents", "8", "--out", p("x"));
        assertEquals(2, narrow.code());
        assertEquals(1, narrow.err().trim().lines().count(), narrow.err());
        assertTrue(narrow.err().contains("sae-16") && narrow.err().contains("d_in 16"), narrow.err());
    }
}
