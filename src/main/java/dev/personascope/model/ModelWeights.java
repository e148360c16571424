package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import dev.personascope.model.io.HostTensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A decoder's parameters, arranged by the part they play (embedding, per-block norms and projections,
 * final norm, head) and also kept by checkpoint name for training and saving. A part a family does
 * not have is null.
 */
public final class ModelWeights {
    /** One decoder block's parameters. */
    public static final class Block {
        /** Norm before attention (input_layernorm, ln_1). */
        public Norm attnNorm;
        /** Norm of the attention output before the residual add (Gemma 2/3, OLMo-2). */
        public Norm attnOutNorm;
        /** Norm before the MLP (Llama's post_attention_layernorm, Gemma's pre_feedforward_layernorm). */
        public Norm mlpNorm;
        /** Norm of the MLP output before the residual add (Gemma 2/3, OLMo-2). */
        public Norm mlpOutNorm;
        public Norm qNorm;
        public Norm kNorm;
        /** Separate projections, or null when fused into {@link #qkv} (rows q | k | v). */
        public LinearLayer q;
        public LinearLayer k;
        public LinearLayer v;
        public LinearLayer qkv;
        public LinearLayer o;
        /** Gated MLP: act(gate)·up, or fused {@link #gateUp} (rows gate | up); plain MLP: act(up) only. */
        public LinearLayer gate;
        public LinearLayer up;
        public LinearLayer gateUp;
        public LinearLayer down;

        /** The projections present, in forward order. */
        public List<LinearLayer> linears() {
            List<LinearLayer> out = new ArrayList<>();
            for (LinearLayer l : new LinearLayer[] {q, k, v, qkv, o, gate, up, gateUp, down}) {
                if (l != null) {
                    out.add(l);
                }
            }
            return out;
        }
    }

    public final NDArray embed;
    /** Learned position embeddings [positions, hidden] (GPT-2), or null. */
    public final NDArray positionEmbed;
    public final Block[] blocks;
    public final Norm finalNorm;
    /** Output projection [vocab, hidden]; the embedding itself when tied. */
    public final NDArray lmHead;
    private final Map<String, NDArray> byName;
    private final Set<String> transposed;

    public ModelWeights(NDArray embed, NDArray positionEmbed, Block[] blocks, Norm finalNorm, NDArray lmHead, WeightLoader loader) {
        this.embed = embed;
        this.positionEmbed = positionEmbed;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.byName = new LinkedHashMap<>(loader.loaded());
        this.transposed = Set.copyOf(loader.transposed());
    }

    /** Parameters by checkpoint name, in checkpoint order (a tied head is not repeated). */
    public Map<String, NDArray> named() {
        return Collections.unmodifiableMap(byName);
    }

    /** Every projection of every block, in layer order. */
    public List<LinearLayer> linears() {
        List<LinearLayer> out = new ArrayList<>();
        for (Block b : blocks) {
            out.addAll(b.linears());
        }
        return out;
    }

    /** Every parameter as f32 host tensors in the checkpoint's layout (Conv1D weights transposed back), for saving. */
    public List<HostTensor> toHost() {
        List<HostTensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            NDArray a = e.getValue();
            float[] data;
            try (ai.djl.ndarray.NDManager tmp = a.getManager().newSubManager()) {
                NDArray f = a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? a : a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                if (f != a) {
                    f.attach(tmp);
                }
                data = f.toFloatArray();
            }
            long[] shape = a.getShape().getShape();
            if (transposed.contains(e.getKey())) {
                data = transpose(data, (int) shape[0], (int) shape[1]);
                shape = new long[] {shape[1], shape[0]};
            }
            out.add(new HostTensor(e.getKey(), shape, data));
        }
        return out;
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
