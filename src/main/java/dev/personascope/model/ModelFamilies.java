package dev.personascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.model.io.TensorFormatException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The registry of model families: every {@link ModelFamily} listed in META-INF/services. */
public final class ModelFamilies {
    private static final Map<String, ModelFamily> BY_NAME = load();

    private ModelFamilies() {
    }

    private static Map<String, ModelFamily> load() {
        Map<String, ModelFamily> out = new LinkedHashMap<>();
        for (ModelFamily f : ServiceLoader.load(ModelFamily.class, ModelFamilies.class.getClassLoader())) {
            out.put(f.name(), f);
        }
        return out;
    }

    public static List<ModelFamily> all() {
        return new ArrayList<>(BY_NAME.values());
    }

    /** The family registered under {@code name}. */
    public static ModelFamily get(String name) {
        ModelFamily f = BY_NAME.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown model family '" + name + "' (known: " + String.join(", ", BY_NAME.keySet()) + ")");
        }
        return f;
    }

    /** The family of a config.json: by architectures[0], else by model_type. */
    public static ModelFamily forConfig(JsonNode root, String where) {
        JsonNode archs = root.get("architectures");
        String arch = archs != null && archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
        String type = root.path("model_type").asText("");
        for (ModelFamily f : BY_NAME.values()) {
            if (arch != null ? f.architectures().contains(arch) : f.modelTypes().contains(type)) {
                return f;
            }
        }
        List<String> known = new ArrayList<>();
        BY_NAME.values().forEach(f -> known.addAll(f.architectures()));
        throw new TensorFormatException(where + ": unsupported architecture '" + (arch != null ? arch : type.isEmpty() ? "(none)" : type)
                + "' (supported: " + String.join(", ", known) + ")");
    }
}
