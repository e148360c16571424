package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.TensorFormatException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * All parameters of a Llama-family model as f32 NDArrays, keyed by their Hugging Face names
 * ({@code model.layers.0.self_attn.q_proj.weight}, ...). Shapes are checked when loading.
 */
public final class ModelWeights {
    /** One decoder block's parameters. */
    public static final class Block {
        public NDArray inputNorm;
        public LinearLayer q;
        public LinearLayer k;
        public LinearLayer v;
        public LinearLayer o;
        public NDArray postAttentionNorm;
        public LinearLayer gate;
        public LinearLayer up;
        public LinearLayer down;

        public List<LinearLayer> linears() {
            return List.of(q, k, v, o, gate, up, down);
        }
    }

    public final NDArray embed;
    public final Block[] blocks;
    public final NDArray finalNorm;
    /** Output projection [vocab, hidden]; the embedding itself when tied. */
    public final NDArray lmHead;
    private final Map<String, NDArray> byName = new LinkedHashMap<>();

    private ModelWeights(ModelConfig c, NDManager manager, Function<String, HostTensor> source, String where) {
        Loader l = new Loader(manager, source, where);
        embed = l.get("model.embed_tokens.weight", c.vocabSize, c.hiddenSize);
        blocks = new Block[c.numLayers];
        for (int i = 0; i < c.numLayers; i++) {
            String p = "model.layers." + i + ".";
            Block b = new Block();
            b.inputNorm = l.get(p + "input_layernorm.weight", c.hiddenSize);
            b.q = l.linear(p + "self_attn.q_proj", c.qDim(), c.hiddenSize, c.qkvBias);
            b.k = l.linear(p + "self_attn.k_proj", c.kvDim(), c.hiddenSize, c.qkvBias);
            b.v = l.linear(p + "self_attn.v_proj", c.kvDim(), c.hiddenSize, c.qkvBias);
            b.o = l.linear(p + "self_attn.o_proj", c.hiddenSize, c.qDim(), c.oBias);
            b.postAttentionNorm = l.get(p + "post_attention_layernorm.weight", c.hiddenSize);
            b.gate = l.linear(p + "mlp.gate_proj", c.intermediateSize, c.hiddenSize, c.mlpBias);
            b.up = l.linear(p + "mlp.up_proj", c.intermediateSize, c.hiddenSize, c.mlpBias);
            b.down = l.linear(p + "mlp.down_proj", c.hiddenSize, c.intermediateSize, c.mlpBias);
            blocks[i] = b;
        }
        finalNorm = l.get("model.norm.weight", c.hiddenSize);
        lmHead = c.tieWordEmbeddings ? embed : l.get("lm_head.weight", c.vocabSize, c.hiddenSize);
        byName.putAll(l.loaded);
    }

    /** Loads every tensor that the config calls for from {@code source} (which returns null when absent). */
    public static ModelWeights load(ModelConfig c, NDManager manager, Function<String, HostTensor> source, String where) {
        return new ModelWeights(c, manager, source, where);
    }

    /** Parameters by Hugging Face name, in checkpoint order (the tied head is not repeated). */
    public Map<String, NDArray> named() {
        return byName;
    }

    private static final class Loader {
        final NDManager manager;
        final Function<String, HostTensor> source;
        final String where;
        final Map<String, NDArray> loaded = new LinkedHashMap<>();

        Loader(NDManager manager, Function<String, HostTensor> source, String where) {
            this.manager = manager;
            this.source = source;
            this.where = where;
        }

        NDArray get(String name, long... expected) {
            HostTensor t = source.apply(name);
            if (t == null) {
                throw new TensorFormatException(where + ": missing tensor '" + name + "' (expected shape "
                        + Arrays.toString(expected) + ")");
            }
            if (!Arrays.equals(t.shape(), expected)) {
                throw new TensorFormatException(where + ": tensor '" + name + "' has shape " + t.shapeString()
                        + ", expected " + Arrays.toString(expected));
            }
            NDArray a = manager.create(t.data(), new Shape(expected));
            a.setName(name);
            loaded.put(name, a);
            return a;
        }

        LinearLayer linear(String prefix, long out, long in, boolean bias) {
            NDArray w = get(prefix + ".weight", out, in);
            NDArray b = bias ? get(prefix + ".bias", out) : null;
            return new LinearLayer(prefix, w, b);
        }
    }

    /** The shape a config implies for a parameter name; throws for names the model does not have. */
    public static long[] expectedShape(ModelConfig c, String name) {
        if (name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight")) {
            return new long[] {c.vocabSize, c.hiddenSize};
        }
        if (name.equals("model.norm.weight") || name.endsWith("layernorm.weight")) {
            return new long[] {c.hiddenSize};
        }
        String leaf = name.replaceFirst("^model\\.layers\\.\\d+\\.", "");
        return switch (leaf) {
            case "self_attn.q_proj.weight" -> new long[] {c.qDim(), c.hiddenSize};
            case "self_attn.k_proj.weight", "self_attn.v_proj.weight" -> new long[] {c.kvDim(), c.hiddenSize};
            case "self_attn.o_proj.weight" -> new long[] {c.hiddenSize, c.qDim()};
            case "self_attn.q_proj.bias" -> new long[] {c.qDim()};
            case "self_attn.k_proj.bias", "self_attn.v_proj.bias" -> new long[] {c.kvDim()};
            case "self_attn.o_proj.bias", "mlp.down_proj.bias" -> new long[] {c.hiddenSize};
            case "mlp.gate_proj.weight", "mlp.up_proj.weight" -> new long[] {c.intermediateSize, c.hiddenSize};
            case "mlp.gate_proj.bias", "mlp.up_proj.bias" -> new long[] {c.intermediateSize};
            case "mlp.down_proj.weight" -> new long[] {c.hiddenSize, c.intermediateSize};
            default -> throw new IllegalArgumentException("not a parameter of this model: " + name);
        };
    }

    /** Every parameter as host tensors, for saving. */
    public List<HostTensor> toHost() {
        List<HostTensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            out.add(new HostTensor(e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
        }
        return out;
    }
}
