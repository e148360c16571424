package dev.personascope.persona;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
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
    /** Reads NaN and Infinity (Python's json writes them) so that they are refused by name, not as bad JSON. */
    private static final ObjectReader READER = Json.MAPPER.reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

    private VectorFile() {
    }

    /** Writes the direction with where it came from ({@code info} may be null). */
    public static void write(Path file, Direction d, VectorInfo info) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("hook", d.hook());
        root.put("d_model", d.dModel());
        ArrayNode v = root.putArray("vector");
        float[] vector = d.vector();
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new IllegalArgumentException("cannot write " + file + ": component " + i + " of " + d.name() + " is "
                        + vector[i] + " (a direction must be finite numbers)");
            }
            v.add(vector[i]);
        }
        if (info != null) {
            root.set("info", Json.toTree(info));
        }
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code info} of a vector file this project wrote; null when it has none. */
    public static VectorInfo readInfo(Path file) {
        read(file); // the vector itself is checked first
        JsonNode info;
        try {
            info = READER.readTree(Files.readAllBytes(file)).get("info");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + JsonErrors.brief(e));
        }
        return info == null || info.isNull() ? null : Json.fromTree(info, VectorInfo.class, file + ": info");
    }

    public static Direction read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such vector file");
        }
        JsonNode root;
        try {
            root = READER.readTree(Files.readAllBytes(file));
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
        JsonNode dModel = root.get("d_model");
        if (dModel != null && !dModel.isNull() && !(dModel.canConvertToInt() && dModel.asInt() == vec.size())) {
            throw new IllegalArgumentException(file + ": field 'd_model' is " + dModel + " but 'vector' has " + vec.size()
                    + " numbers");
        }
        float[] v = new float[vec.size()];
        boolean zero = true;
        for (int i = 0; i < v.length; i++) {
            if (!vec.get(i).isNumber()) {
                throw new IllegalArgumentException(file + ": vector[" + i + "] is not a number");
            }
            double x = vec.get(i).asDouble();
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(file + ": vector[" + i + "] is " + x
                        + " (a direction must be finite numbers)");
            }
            v[i] = (float) x;
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(file + ": vector[" + i + "] is " + x
                        + ", outside float32's range (about 3.4e38)");
            }
            zero &= v[i] == 0;
        }
        if (zero) {
            throw new IllegalArgumentException(file + ": vector is all zeros (no direction)");
        }
        return new Direction("vector:" + file, hook.asText(), v);
    }
}
