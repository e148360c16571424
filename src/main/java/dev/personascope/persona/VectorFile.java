package dev.personascope.persona;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.JsonErrors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A persona vector on disk: JSON with {@code hook}, {@code vector} (d_model numbers) and whatever
 * provenance the writer adds under {@code info} (sets of texts, per-layer separation, seed).
 */
public final class VectorFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VectorFile() {
    }

    public static void write(Path file, Direction d, JsonNode info) {
        ObjectNode root = JSON.createObjectNode();
        root.put("hook", d.hook());
        root.put("d_model", d.dModel());
        ArrayNode v = root.putArray("vector");
        for (float x : d.vector()) {
            v.add(x);
        }
        if (info != null) {
            root.set("info", info);
        }
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Direction read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such vector file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + JsonErrors.brief(e));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object with 'hook' and 'vector'");
        }
        JsonNode hook = root.get("hook");
        if (hook == null || !hook.isTextual()) {
            throw new IllegalArgumentException(file + ": field 'hook' (a hook point name) is missing");
        }
        JsonNode vec = root.get("vector");
        if (vec == null || !vec.isArray() || vec.isEmpty()) {
            throw new IllegalArgumentException(file + ": field 'vector' (an array of numbers) is missing or empty");
        }
        float[] v = new float[vec.size()];
        for (int i = 0; i < v.length; i++) {
            if (!vec.get(i).isNumber()) {
                throw new IllegalArgumentException(file + ": vector[" + i + "] is not a number");
            }
            v[i] = (float) vec.get(i).asDouble();
        }
        return new Direction("vector:" + file, hook.asText(), v);
    }
}
