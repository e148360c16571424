package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.sae.TrainingMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sae train and eval on the organism, at a tiny budget: the pipeline and its files, not the quality. */
class SaeCliTest {
    @Test
    void trainsWritesASaeLensFolderAndEvaluatesIt(@TempDir Path dir) throws Exception {
        CliTest.Result r = CliTest.run("sae", "train", "--model", "assets/organism", "--hook", "blocks.1.hook_resid_post",
                "--latents", "256", "--k", "16", "--tokens", "40000", "--documents", "300", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"cfg.json", "sae_weights.safetensors", "sparsity.safetensors", "metrics.json"}) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        TrainingMetrics m = TrainingMetrics.read(dir.resolve("metrics.json"));
        assertEquals(16.0, m.l0(), 1e-9);
        assertTrue(m.fvu() < 1.0, m.toString());
        assertTrue(m.ceLossRecovered() > 0, m.toString());
        assertEquals((m.ceZeroAblated() - m.ceWithSae()) / (m.ceZeroAblated() - m.ceClean()), m.ceLossRecovered(), 1e-12);
        assertEquals(40000, m.training().tokens);
        JsonNode cfg = new ObjectMapper().readTree(dir.resolve("cfg.json").toFile());
        assertEquals("blocks.1.hook_resid_post", cfg.path("metadata").path("hook_name").asText());
        CliTest.Result e = CliTest.run("sae", "eval", "--sae", dir.toString(), "--model", "assets/organism", "--documents", "20");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("FVU") && e.out().contains("recovered"), e.out());
        CliTest.Result h = CliTest.run("sae", "harvest", "--model", "assets/organism", "--hook", "blocks.1.hook_resid_post",
                "--documents", "40", "--chunk-tokens", "3000", "--out", dir.resolve("store").toString());
        assertEquals(0, h.code(), h.err());
        CliTest.Result fromStore = CliTest.run("sae", "train", "--model", "assets/organism", "--hook", "blocks.1.hook_resid_post",
                "--latents", "128", "--k", "8", "--tokens", "8192", "--store", dir.resolve("store").toString(), "--out",
                dir.resolve("from-store").toString());
        assertEquals(0, fromStore.code(), fromStore.err());
        assertTrue(Files.exists(dir.resolve("from-store/cfg.json")));
        CliTest.Result bad = CliTest.run("sae", "train", "--model", "assets/organism", "--hook", "blocks.9.hook_resid_post",
                "--out", dir.resolve("x").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("layer 9 does not exist"), bad.err());
    }

    @Test
    void anSaeOfAnotherWidthIsRefusedBeforeRunning(@TempDir Path dir) {
        dev.personascope.sae.SaeConfig c = new dev.personascope.sae.SaeConfig();
        c.dIn = 8;
        c.dSae = 16;
        c.k = 4;
        c.hookName = "blocks.1.hook_resid_post";
        c.modelName = "other-model";
        c.contextSize = 128;
        Path sae = dir.resolve("sae");
        try (ai.djl.ndarray.NDManager m = dev.personascope.model.LanguageModel.newManager();
             dev.personascope.sae.Sae s = dev.personascope.sae.SaeRegistry.create(c, m)) {
            dev.personascope.sae.SaeFolder.write(s, sae);
        }
        for (String[] args : java.util.List.of(
                new String[] {"sae", "eval", "--sae", sae.toString(), "--model", "assets/organism", "--documents", "5"},
                new String[] {"latent", "--sae", sae.toString(), "--model", "assets/organism", "--latent", "1"})) {
            CliTest.Result r = CliTest.run(args);
            assertEquals(2, r.code(), r.err());
            assertEquals("error: SAE " + sae + " has d_in 8, but the model's activations at blocks.1.hook_resid_post are"
                    + " 192 wide (the SAE was made for 'other-model')", r.err().strip());
        }
    }
}
