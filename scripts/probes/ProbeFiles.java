import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the bad input files of the probe runner (run.sh) from a good model folder: mutated copies of the model's
 * config.json and model.safetensors, SAE folders, a LoRA adapter, vector files and question-set YAML (run.sh makes
 * the chat JSONL from the world's data).
 * Run with Jackson on the classpath: {@code java -cp personascope.jar ProbeFiles.java MODEL_DIR OUT_DIR}.
 * Every file is a deterministic function of the model folder (the fuzzed headers use seed 17).
 */
public class ProbeFiles {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int FUZZED_HEADERS = 30;

    public static void main(String[] args) throws IOException {
        Path model = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        ObjectNode config = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
        Safetensors st = Safetensors.read(model.resolve("model.safetensors"));
        int hidden = config.get("hidden_size").asInt();

        copyModel(model, out.resolve("m-control"));
        configVariant(model, out.resolve("m-eps-negative"), c -> c.put("rms_norm_eps", -1.0));
        configVariant(model, out.resolve("m-theta-negative"), c -> c.put("rope_theta", -1.0));
        configVariant(model, out.resolve("m-layers-huge"), c -> c.put("num_hidden_layers", Integer.MAX_VALUE));
        configVariant(model, out.resolve("m-layers-fewer"), c -> c.put("num_hidden_layers", c.get("num_hidden_layers").asInt() - 1));
        configVariant(model, out.resolve("m-key-misspelled"), c -> c.set("rms_norm_epsilon", c.remove("rms_norm_eps")));

        String first = st.names().get(0);
        weightsVariant(model, out.resolve("m-nan-weight"), st.header, nanAt(st, first));
        weightsVariant(model, out.resolve("m-offsets-negative"), withOffsets(st.header, first, st.begin(first) - 4, st.end(first) - 4), st.data);
        weightsVariant(model, out.resolve("m-offsets-one-element"), oneOffset(st.header, first), st.data);
        String[] pair = sameSize(st);
        weightsVariant(model, out.resolve("m-offsets-overlapping"), withOffsets(st.header, pair[1], st.begin(pair[0]), st.end(pair[0])), st.data);
        weightsVariant(model, out.resolve("m-trailing-bytes"), st.header, concat(st.data, new byte[16]));
        shardOutside(model, out.resolve("m-shard-outside"));
        for (int i = 0; i < FUZZED_HEADERS; i++) {
            fuzzed(model, out.resolve(String.format("fuzz/h%02d", i)), st, new Random(17 + i));
        }

        sae(out.resolve("sae-control"), hidden, hidden, -1);
        sae(out.resolve("sae-width-mismatch"), 8, 8, -1);
        sae(out.resolve("sae-nan-decoder-row"), hidden, hidden, 3);
        lora(out.resolve("lora-control"), config, "16");
        lora(out.resolve("lora-alpha-x"), config, "\"x\"");
        vector(out.resolve("v-control.json"), hidden, 0.01);
        vector(out.resolve("v-1e39.json"), hidden, 1e39);

        Files.writeString(out.resolve("deep.yaml"), "[".repeat(100_000) + "\n");
        try (var w = Files.newBufferedWriter(out.resolve("string-50MB.yaml"))) {
            w.write("- id: \"");
            char[] chunk = "a".repeat(1 << 20).toCharArray();
            for (int i = 0; i < 50; i++) {
                w.write(chunk);
            }
            w.write("\"\n");
        }
    }

    interface ConfigEdit {
        void apply(ObjectNode c);
    }

    static void copyModel(Path model, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void configVariant(Path model, Path to, ConfigEdit edit) throws IOException {
        copyModel(model, to);
        ObjectNode c = (ObjectNode) JSON.readTree(to.resolve("config.json").toFile());
        edit.apply(c);
        JSON.writerWithDefaultPrettyPrinter().writeValue(to.resolve("config.json").toFile(), c);
    }

    static void weightsVariant(Path model, Path to, ObjectNode header, byte[] data) throws IOException {
        copyModel(model, to);
        Files.write(to.resolve("model.safetensors"), Safetensors.bytes(JSON.writeValueAsBytes(header), data));
    }

    /** The index names a shard in the parent folder ("../"), and the folder holds no model.safetensors itself. */
    static void shardOutside(Path model, Path to) throws IOException {
        copyModel(model, to);
        Files.move(to.resolve("model.safetensors"), to.resolveSibling("outside.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        Safetensors st = Safetensors.read(to.resolveSibling("outside.safetensors"));
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", st.data.length);
        ObjectNode map = index.putObject("weight_map");
        st.names().forEach(n -> map.put(n, "../outside.safetensors"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(to.resolve("model.safetensors.index.json").toFile(), index);
    }

    /** One to three bytes of the header JSON replaced by characters that matter to JSON and numbers. */
    static void fuzzed(Path model, Path to, Safetensors st, Random r) throws IOException {
        byte[] header = JSON.writeValueAsBytes(st.header);
        String alphabet = "0123456789-.,:[]{}\"eE ";
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
            header[r.nextInt(header.length)] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        copyModel(model, to);
        Files.write(to.resolve("model.safetensors"), Safetensors.bytes(header, st.data));
    }

    static byte[] nanAt(Safetensors st, String name) {
        byte[] data = st.data.clone();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) st.begin(name), Float.NaN);
        return data;
    }

    static ObjectNode withOffsets(ObjectNode header, String name, long begin, long end) {
        ObjectNode h = header.deepCopy();
        ArrayNode offsets = ((ObjectNode) h.get(name)).putArray("data_offsets");
        offsets.add(begin).add(end);
        return h;
    }

    static ObjectNode oneOffset(ObjectNode header, String name) {
        ObjectNode h = header.deepCopy();
        ((ArrayNode) h.get(name).get("data_offsets")).remove(1);
        return h;
    }

    /** Two tensors with the same byte size (the second is pointed at the first's bytes). */
    static String[] sameSize(Safetensors st) {
        List<String> names = st.names();
        for (String a : names) {
            for (String b : names) {
                if (!a.equals(b) && st.end(a) - st.begin(a) == st.end(b) - st.begin(b)) {
                    return new String[] {a, b};
                }
            }
        }
        throw new IllegalStateException("no two tensors of the same size");
    }

    static void sae(Path dir, int dIn, int widthOfWeights, int nanRow) throws IOException {
        Files.createDirectories(dir);
        int dSae = 32;
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("d_in", dIn).put("d_sae", dSae).put("dtype", "float32").put("device", "cpu")
                .put("apply_b_dec_to_input", true).put("normalize_activations", "none").put("k", 4)
                .put("rescale_acts_by_decoder_norm", false).put("architecture", "topk");
        cfg.putObject("metadata").put("sae_lens_version", "6.0.0").put("model_name", "organism")
                .put("hook_name", "blocks.1.hook_resid_post").put("context_size", 128);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("cfg.json").toFile(), cfg);
        Random r = new Random(5);
        float[] wEnc = gaussian(r, widthOfWeights * dSae, 0.1f);
        float[] wDec = gaussian(r, dSae * widthOfWeights, 0.1f);
        if (nanRow >= 0) {
            for (int j = 0; j < widthOfWeights; j++) {
                wDec[nanRow * widthOfWeights + j] = Float.NaN;
            }
        }
        Map<String, Object[]> tensors = new java.util.LinkedHashMap<>();
        tensors.put("W_enc", new Object[] {new long[] {widthOfWeights, dSae}, wEnc});
        tensors.put("b_enc", new Object[] {new long[] {dSae}, new float[dSae]});
        tensors.put("W_dec", new Object[] {new long[] {dSae, widthOfWeights}, wDec});
        tensors.put("b_dec", new Object[] {new long[] {widthOfWeights}, new float[widthOfWeights]});
        Files.write(dir.resolve("sae_weights.safetensors"), Safetensors.ofFloats(tensors));
    }

    /** A PEFT LoRA adapter of rank 2 on every layer's q_proj, lora_alpha written as given (raw JSON). */
    static void lora(Path dir, JsonNode config, String alpha) throws IOException {
        Files.createDirectories(dir);
        int hidden = config.get("hidden_size").asInt();
        int heads = config.get("num_attention_heads").asInt();
        int headDim = config.has("head_dim") ? config.get("head_dim").asInt() : hidden / heads;
        Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"r\": 2, "
                + "\"lora_alpha\": " + alpha + ", \"lora_dropout\": 0.0, \"target_modules\": [\"q_proj\"], \"bias\": \"none\"}\n");
        Random r = new Random(3);
        Map<String, Object[]> tensors = new java.util.LinkedHashMap<>();
        for (int l = 0; l < config.get("num_hidden_layers").asInt(); l++) {
            String p = "base_model.model.model.layers." + l + ".self_attn.q_proj.";
            tensors.put(p + "lora_A.weight", new Object[] {new long[] {2, hidden}, gaussian(r, 2 * hidden, 0.05f)});
            tensors.put(p + "lora_B.weight", new Object[] {new long[] {heads * headDim, 2}, gaussian(r, heads * headDim * 2, 0.05f)});
        }
        Files.write(dir.resolve("adapter_model.safetensors"), Safetensors.ofFloats(tensors));
    }

    static void vector(Path file, int hidden, double third) throws IOException {
        StringBuilder sb = new StringBuilder("{\"hook\": \"blocks.1.hook_resid_post\", \"vector\": [");
        for (int i = 0; i < hidden; i++) {
            sb.append(i == 0 ? "" : ", ").append(i == 3 ? Double.toString(third) : "0.01");
        }
        Files.writeString(file, sb.append("]}\n").toString());
    }

    static float[] gaussian(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** A safetensors file as its header JSON and its data bytes. */
    record Safetensors(ObjectNode header, byte[] data) {
        static Safetensors read(Path file) throws IOException {
            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
            byte[] data = java.util.Arrays.copyOfRange(all, 8 + (int) n, all.length);
            return new Safetensors(header, data);
        }

        static byte[] bytes(byte[] header, byte[] data) {
            ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            return b.putLong(header.length).put(header).put(data).array();
        }

        static byte[] ofFloats(Map<String, Object[]> tensors) throws IOException {
            ObjectNode header = JSON.createObjectNode();
            header.putObject("__metadata__").put("format", "pt");
            ByteBuffer data = ByteBuffer.allocate(tensors.values().stream().mapToInt(t -> ((float[]) t[1]).length * 4).sum())
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, Object[]> e : tensors.entrySet()) {
                ObjectNode t = header.putObject(e.getKey());
                t.put("dtype", "F32");
                ArrayNode shape = t.putArray("shape");
                for (long s : (long[]) e.getValue()[0]) {
                    shape.add(s);
                }
                int begin = data.position();
                for (float f : (float[]) e.getValue()[1]) {
                    data.putFloat(f);
                }
                t.putArray("data_offsets").add(begin).add(data.position());
            }
            return bytes(JSON.writeValueAsBytes(header), data.array());
        }

        List<String> names() {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (!n.equals("__metadata__")) {
                    names.add(n);
                }
            }
            return names;
        }

        long begin(String name) {
            return header.get(name).get("data_offsets").get(0).asLong();
        }

        long end(String name) {
            return header.get(name).get("data_offsets").get(1).asLong();
        }
    }
}
