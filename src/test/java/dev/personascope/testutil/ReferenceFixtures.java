package dev.personascope.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Hugging Face reference fixtures under {@code testdata/reference} (see its README.md): tiny random
 * decoder LMs of many families with transformers' logits and hidden states ({@code hf-models/}), and PEFT
 * adapters on two of them with their logits ({@code peft/}). Readers and max-abs-diff helpers.
 */
public final class ReferenceFixtures {
    public static final Path ROOT = TestData.ROOT.resolve("reference");
    public static final Path HF_MODELS = ROOT.resolve("hf-models");
    public static final Path PEFT = ROOT.resolve("peft");

    /** The folders of hf-models/, one per family (qwen2-bf16 is the qwen2 weights stored as bf16). */
    public static final List<String> FAMILIES = List.of("llama", "llama3-rope", "qwen2", "qwen2-bf16", "qwen3",
            "mistral", "gemma", "gemma2", "gemma3", "phi3", "olmo2", "smollm3", "gpt2");

    /** The folders of peft/: {@code <base>-<variant>}, the base being hf-models/<base>. */
    public static final List<String> ADAPTERS = List.of("qwen2-lora-qv-r4", "qwen2-lora-all-linear-r2",
            "qwen2-rslora-qkvo-r4", "qwen2-lora-layer1-r4", "qwen2-dora-qv-r4", "llama-lora-qv-r4",
            "llama-lora-all-linear-r2", "llama-rslora-qkvo-r4", "llama-lora-layer1-r4", "llama-dora-qv-r4",
            // make_peft_families.py: the layouts whose module names differ (Conv1D, fused projections, sandwich norms)
            "gpt2-lora-all-linear-r2", "gpt2-dora-c_attn-r4", "phi3-lora-all-linear-r2", "phi3-dora-qkv-r4",
            "gemma2-lora-qv-r4", "olmo2-dora-all-linear-r2", "gemma3-rslora-layer0-r4");

    /** The two config layouts of every family: transformers 5 ({@code rope_parameters}, {@code dtype}) and 4.x. */
    public static final String CONFIG_V5 = "config.json";
    public static final String CONFIG_V4 = "config.v4.json";
    public static final List<String> CONFIG_VARIANTS = List.of(CONFIG_V5, CONFIG_V4);

    /** The lengths of the two inputs, {@code ids_7} and {@code ids_40}. */
    public static final List<Integer> LENGTHS = List.of(7, 40);

    /** The bound the fixtures are checked to (README: max |Δ| ≤ 1e-4 for logits, hidden states and layer outputs). */
    public static final double TOLERANCE = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Map<Integer, int[]> inputs;

    private ReferenceFixtures() {
    }

    public static Path modelDir(String family) {
        return HF_MODELS.resolve(family);
    }

    public static Path adapterDir(String adapter) {
        return PEFT.resolve(adapter);
    }

    /** The base family of an adapter folder: its name up to the first '-' (qwen2, llama). */
    public static String adapterBase(String adapter) {
        return adapter.substring(0, adapter.indexOf('-'));
    }

    /** {@code ids_7} or {@code ids_40} of hf-models/inputs.json (token ids below 256, no BOS). */
    public static int[] ids(int length) {
        Map<Integer, int[]> in = inputs;
        if (in == null) {
            JsonNode root = readJson(HF_MODELS.resolve("inputs.json"));
            Map<Integer, int[]> m = new LinkedHashMap<>();
            for (int t : LENGTHS) {
                JsonNode a = root.get("ids_" + t);
                if (a == null || !a.isArray() || a.size() != t) {
                    throw new IllegalStateException(HF_MODELS.resolve("inputs.json") + ": no array ids_" + t + " of " + t + " ids");
                }
                int[] ids = new int[t];
                for (int i = 0; i < t; i++) {
                    ids[i] = a.get(i).asInt();
                }
                m.put(t, ids);
            }
            inputs = in = m;
        }
        int[] ids = in.get(length);
        if (ids == null) {
            throw new IllegalArgumentException("no reference input of length " + length + " (have " + LENGTHS + ")");
        }
        return ids.clone();
    }

    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code expected.safetensors} of a fixture folder: every tensor by name, as f32. */
    public static Map<String, HostTensor> expected(Path dir) {
        return SafeTensors.load(dir.resolve("expected.safetensors"));
    }

    /** The tensor {@code name} of {@code tensors}; fails the test naming what is there when it is absent. */
    public static HostTensor tensor(Map<String, HostTensor> tensors, String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            fail("expected.safetensors has no tensor '" + name + "' (it has " + tensors.keySet() + ")");
        }
        return t;
    }

    /**
     * A copy of a model folder in {@code parent}/&lt;folder name&gt; with {@code configFile} as its config.json
     * (config.v4.json itself is left out of the copy); the folder itself when {@code configFile} is config.json.
     */
    public static Path withConfig(Path modelDir, String configFile, Path parent) {
        if (configFile.equals(CONFIG_V5)) {
            return modelDir;
        }
        Path out = parent.resolve(modelDir.getFileName().toString());
        try (Stream<Path> files = Files.list(modelDir)) {
            Files.createDirectories(out);
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !name.equals(CONFIG_V5) && !name.equals(configFile)) {
                    Files.copy(f, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.copy(modelDir.resolve(configFile), out.resolve(CONFIG_V5), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + modelDir + " with " + configFile + " to " + out, e);
        }
        return out;
    }

    /** max |a − b| over all elements; NaN if either holds a NaN; throws when the lengths differ. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - (double) b[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /**
     * max |expected − actual| where {@code actual} holds the expected tensor's elements in the same order,
     * possibly with extra leading dimensions of 1 (the batch); fails the test naming both shapes otherwise.
     */
    public static double maxAbsDiff(HostTensor expected, float[] actual, long[] actualShape, String what) {
        if (expected.data().length != actual.length || !sameShapeUpToLeadingOnes(expected.shape(), actualShape)) {
            fail(what + ": shape " + Arrays.toString(actualShape) + ", the reference " + expected.name() + " has "
                    + expected.shapeString());
        }
        return maxAbsDiff(expected.data(), actual);
    }

    private static boolean sameShapeUpToLeadingOnes(long[] a, long[] b) {
        long[] x = stripLeadingOnes(a);
        long[] y = stripLeadingOnes(b);
        return Arrays.equals(x, y);
    }

    private static long[] stripLeadingOnes(long[] s) {
        int i = 0;
        while (i < s.length - 1 && s[i] == 1) {
            i++;
        }
        return Arrays.copyOfRange(s, i, s.length);
    }

    /** Rows [n][d] flattened row after row. */
    public static float[] flatten(float[][] rows) {
        int n = 0;
        for (float[] r : rows) {
            n += r.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }

    /**
     * Named max-abs differences gathered for one fixture (family and config variant, or adapter), checked
     * together so that one failure message lists every tensor out of bounds with its difference.
     */
    public static final class Diffs {
        private final String context;
        private final Map<String, Double> diffs = new LinkedHashMap<>();

        public Diffs(String context) {
            this.context = context;
        }

        public String context() {
            return context;
        }

        public void put(String what, double maxAbsDiff) {
            diffs.put(what, maxAbsDiff);
        }

        public Map<String, Double> all() {
            return diffs;
        }

        /** The largest difference among the entries whose name starts with {@code prefix}; NaN if any is NaN. */
        public double max(String prefix) {
            double m = -1;
            for (Map.Entry<String, Double> e : diffs.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    if (e.getValue().isNaN()) {
                        return Double.NaN;
                    }
                    m = Math.max(m, e.getValue());
                }
            }
            return m;
        }

        /** Fails, listing every entry whose difference is above {@code tolerance} (or NaN). */
        public void assertWithin(double tolerance) {
            List<String> bad = new ArrayList<>();
            for (Map.Entry<String, Double> e : diffs.entrySet()) {
                if (!(e.getValue() <= tolerance)) {
                    bad.add(e.getKey() + ": max |Δ| = " + format(e.getValue()));
                }
            }
            if (diffs.isEmpty()) {
                fail(context + ": nothing was compared");
            }
            if (!bad.isEmpty()) {
                fail(context + ": " + bad.size() + " of " + diffs.size() + " tensors differ from the reference by more than "
                        + tolerance + ":\n  " + String.join("\n  ", bad));
            }
        }

        /** Fails unless every difference is exactly 0. */
        public void assertExact() {
            assertWithin(0.0);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(context).append(':');
            diffs.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(format(v)));
            return sb.toString();
        }
    }

    public static String format(double d) {
        return Double.isNaN(d) ? "NaN" : d < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2e", d);
    }
}
