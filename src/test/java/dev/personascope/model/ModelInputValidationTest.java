package dev.personascope.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.testutil.ReferenceFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numbers that cannot be right are refused, naming the file and field, instead of loading into a model
 * that silently computes something else (issue 17's silent wrong numbers, for model folders).
 */
class ModelInputValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path copy(Path dir) throws Exception {
        Path src = ReferenceFixtures.modelDir("llama");
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    static void editConfig(Path dir, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(c);
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
    }

    static String error(Path dir) {
        Exception e = assertThrows(RuntimeException.class, () -> LanguageModel.load(dir).close());
        assertTrue(e instanceof TensorFormatException || e instanceof IllegalArgumentException, e.toString());
        return e.getMessage();
    }

    /** Rewrites model.safetensors with one tensor's data changed. */
    static void editTensor(Path dir, String name, Consumer<float[]> edit) {
        Map<String, HostTensor> all = SafeTensors.load(dir.resolve("model.safetensors"));
        List<HostTensor> out = new ArrayList<>();
        for (HostTensor t : all.values()) {
            if (t.name().equals(name)) {
                edit.accept(t.data());
            }
            out.add(t);
        }
        SafeTensors.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
    }

    /** A raw safetensors file with the given header JSON and data length. */
    static void rawFile(Path file, String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
    }

    @Test
    void nonFiniteWeightsAreRefusedByName(@TempDir Path dir) throws Exception {
        copy(dir);
        editTensor(dir, "model.layers.1.mlp.up_proj.weight", d -> d[5] = Float.NaN);
        String m = error(dir);
        assertTrue(m.contains("model.layers.1.mlp.up_proj.weight") && m.contains("NaN"), m);
    }

    @Test
    void impossibleConfigNumbersAreRefused(@TempDir Path dir) throws Exception {
        copy(dir);
        editConfig(dir, c -> c.put("rms_norm_eps", -1));
        assertTrue(error(dir).contains("positive"), "rms_norm_eps -1");
        editConfig(dir, c -> {
            c.put("rms_norm_eps", 1e-5);
            c.put("num_hidden_layers", 2147483647);
        });
        assertTrue(error(dir).contains("beyond any real model"));
        editConfig(dir, c -> {
            c.put("num_hidden_layers", 1);
        });
        String m = error(dir);
        assertTrue(m.contains("holds 2 layers") && m.contains("num_hidden_layers is 1"), m);
        editConfig(dir, c -> {
            c.put("num_hidden_layers", 2);
            ((ObjectNode) c.get("rope_parameters")).put("rope_theta", -1);
        });
        assertTrue(error(dir).contains("rope_theta must be positive"));
        // found by the 10-minute ConfigJsonFuzzTest run: a negative context length was accepted, and a scaling
        // factor that is not a number was read as its default (Jackson's asDouble)
        editConfig(dir, c -> {
            ((ObjectNode) c.get("rope_parameters")).put("rope_theta", 10000.0);
            c.put("max_position_embeddings", -512);
        });
        assertTrue(error(dir).contains("max_position_embeddings (n_positions) must be positive"), error(dir));
        editConfig(dir, c -> {
            c.put("max_position_embeddings", 512);
            ((ObjectNode) c.get("rope_parameters")).put("rope_type", "llama3").put("factor", "x");
        });
        assertTrue(error(dir).contains("rope_scaling.factor must be a positive number, got \"x\""), error(dir));
    }

    @Test
    void aMisspelledKeyIsWarnedAbout(@TempDir Path dir) throws Exception {
        copy(dir);
        editConfig(dir, c -> c.put("rms_norm_epsilon", 0.5));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            LanguageModel.load(dir).close();
        } finally {
            System.setErr(old);
        }
        String w = err.toString(StandardCharsets.UTF_8);
        assertTrue(w.contains("unknown field 'rms_norm_epsilon'") && w.contains("did you mean 'rms_norm_eps'"), w);
    }

    @Test
    void malformedSafetensorsHeadersAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.safetensors");
        rawFile(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.index(f)).getMessage().contains("two byte offsets"));
        rawFile(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.index(f)).getMessage().contains("non-negative"));
        rawFile(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.index(f)).getMessage().contains("overlaps"));
        rawFile(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.index(f)).getMessage().contains("4 bytes after the last tensor"));
        rawFile(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} {}", 8);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.index(f)).getMessage().contains("not valid JSON"));
        rawFile(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904, 4],\"data_offsets\":[0,8]}}", 8);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.index(f)).getMessage().contains("too large"));
    }

    @Test
    void shardsOutsideTheFolderAreRefused(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("m"));
        copy(model);
        Files.move(model.resolve("model.safetensors"), dir.resolve("outside.safetensors"));
        Files.writeString(model.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"model.embed_tokens.weight\": \"../outside.safetensors\"}}");
        assertTrue(error(model).contains("outside the model folder"));
    }
}
