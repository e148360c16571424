package dev.personascope.model;

import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each broken checkpoint gives a one-line error naming the file, tensor or field. */
class BadInputTest {

    private static Path savedTiny(Path dir) {
        try (LanguageModel lm = TinyModels.qwen2(41)) {
            ModelSaver.save(lm, dir);
        }
        return dir;
    }

    private static String error(Path dir) {
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> LanguageModel.load(dir).close());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void unknownArchitecture(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("Qwen2ForCausalLM", "MambaForCausalLM"));
        String m = error(dir);
        assertTrue(m.contains("unsupported architecture 'MambaForCausalLM'") && m.contains("config.json"), m);
    }

    @Test
    void missingConfigField(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("\"hidden_size\" : \\d+,", ""));
        String m = error(dir);
        assertTrue(m.contains("'hidden_size'"), m);
    }

    @Test
    void missingTensor(@TempDir Path dir) {
        savedTiny(dir);
        var tensors = SafeTensors.load(dir.resolve("model.safetensors"));
        tensors.remove("model.layers.1.mlp.up_proj.weight");
        SafeTensors.write(dir.resolve("model.safetensors"), tensors.values(), null);
        String m = error(dir);
        assertTrue(m.contains("missing tensor 'model.layers.1.mlp.up_proj.weight'") && m.contains("[48, 32]"), m);
    }

    @Test
    void wrongShape(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Path cfg = dir.resolve("config.json");
        // the config now promises a wider MLP than the weights have
        Files.writeString(cfg, Files.readString(cfg).replace("\"intermediate_size\" : 48", "\"intermediate_size\" : 64"));
        String m = error(dir);
        assertTrue(m.contains("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [48, 32], expected [64, 32]"), m);
    }

    @Test
    void truncatedSafetensors(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Path f = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 100));
        String m = error(dir);
        assertTrue(m.contains("model.safetensors") && m.contains("past the end of the file"), m);
    }

    @Test
    void garbageSafetensorsHeader(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Files.write(dir.resolve("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', 'x', 'y', 0, 0, 0, 0, 0});
        String m = error(dir);
        assertTrue(m.contains("not valid JSON"), m);
    }

    @Test
    void unsupportedDtype(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Path f = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        String s = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1).replaceFirst("\"F32\"", "\"I64\"");
        Files.write(f, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String m = error(dir);
        assertTrue(m.contains("unsupported dtype 'I64'"), m);
    }

    @Test
    void shardIndexNamingAMissingShard(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Files.delete(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\"}}");
        String m = error(dir);
        assertTrue(m.contains("shard 'model-00001-of-00002.safetensors', which does not exist"), m);
    }

    @Test
    void noWeightsAtAll(@TempDir Path dir) throws Exception {
        savedTiny(dir);
        Files.delete(dir.resolve("model.safetensors"));
        String m = error(dir);
        assertTrue(m.contains("no model.safetensors"), m);
    }

    @Test
    void llama2cCheckpointOfTheWrongSize(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(Path.of("assets/stories260K/stories260K.bin"));
        Path f = dir.resolve("broken.bin");
        Files.write(f, Arrays.copyOf(all, all.length - 64));
        String m = error(f);
        assertTrue(m.contains("broken.bin") && m.contains("does not match its header"), m);
    }

    @Test
    void missingModelPath() {
        String m = error(Path.of("no/such/model"));
        assertTrue(m.contains("no such file or folder"), m);
    }
}
