package dev.personascope.model;

import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.TensorFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a llama2.c checkpoint (the legacy format of Karpathy's run.c: seven int32 header fields,
 * then f32 tensors in a fixed order) and renames its tensors to Hugging Face's names. q and k rows
 * are permuted from llama2.c's interleaved RoPE pairs to HF's rotate-half layout, as llama2.c's
 * export script does, so the one forward pass serves both.
 */
public final class Llama2cCheckpoint {
    public final ModelConfig config;
    public final Map<String, HostTensor> tensors;

    private Llama2cCheckpoint(ModelConfig config, Map<String, HostTensor> tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    public static Llama2cCheckpoint read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 28) {
                throw new TensorFormatException(file + ": too short for a llama2.c checkpoint (" + size + " bytes)");
            }
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            int dim = all.getInt();
            int hidden = all.getInt();
            int layers = all.getInt();
            int heads = all.getInt();
            int kvHeads = all.getInt();
            int vocab = all.getInt();
            int seqLen = all.getInt();
            boolean shared = vocab > 0;
            vocab = Math.abs(vocab);
            if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || seqLen <= 0 || dim % heads != 0) {
                throw new TensorFormatException(file + ": header (dim " + dim + ", hidden " + hidden + ", layers "
                        + layers + ", heads " + heads + ", kv_heads " + kvHeads + ", seq_len " + seqLen
                        + ") is not a llama2.c legacy checkpoint");
            }
            ModelConfig c = new ModelConfig();
            c.vocabSize = vocab;
            c.hiddenSize = dim;
            c.intermediateSize = hidden;
            c.numLayers = layers;
            c.numHeads = heads;
            c.numKvHeads = kvHeads;
            c.headDim = dim / heads;
            c.maxPositions = seqLen;
            c.rmsNormEps = 1e-5;
            c.ropeTheta = 10000.0;
            c.tieWordEmbeddings = shared;
            c.bosTokenId = 1;
            c.eosTokenIds = new int[] {2};
            c.validate(file.toString());

            int hd = c.headDim;
            int kvDim = kvHeads * hd;
            long expected = 28 + 4L * ((long) vocab * dim + (long) layers * (2L * dim + (long) dim * dim * 2
                    + 2L * dim * kvDim + 3L * dim * hidden) + dim + (long) seqLen * hd + (shared ? 0 : (long) vocab * dim));
            if (size != expected) {
                throw new TensorFormatException(file + ": size " + size + " bytes does not match its header, which needs "
                        + expected + " bytes");
            }
            FloatBuffer f = all.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            Map<String, HostTensor> t = new LinkedHashMap<>();
            put(t, "model.embed_tokens.weight", f, vocab, dim);
            float[][] attnNorm = perLayer(f, layers, dim);
            float[][] wq = perLayer(f, layers, dim * dim);
            float[][] wk = perLayer(f, layers, kvDim * dim);
            float[][] wv = perLayer(f, layers, kvDim * dim);
            float[][] wo = perLayer(f, layers, dim * dim);
            float[][] ffnNorm = perLayer(f, layers, dim);
            float[][] w1 = perLayer(f, layers, hidden * dim);
            float[][] w2 = perLayer(f, layers, dim * hidden);
            float[][] w3 = perLayer(f, layers, hidden * dim);
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                t.put(p + "input_layernorm.weight", new HostTensor(p + "input_layernorm.weight", new long[] {dim}, attnNorm[l]));
                add(t, p + "self_attn.q_proj.weight", toRotateHalf(wq[l], heads, hd, dim), dim, dim);
                add(t, p + "self_attn.k_proj.weight", toRotateHalf(wk[l], kvHeads, hd, dim), kvDim, dim);
                add(t, p + "self_attn.v_proj.weight", wv[l], kvDim, dim);
                add(t, p + "self_attn.o_proj.weight", wo[l], dim, dim);
                t.put(p + "post_attention_layernorm.weight", new HostTensor(p + "post_attention_layernorm.weight", new long[] {dim}, ffnNorm[l]));
                add(t, p + "mlp.gate_proj.weight", w1[l], hidden, dim);
                add(t, p + "mlp.down_proj.weight", w2[l], dim, hidden);
                add(t, p + "mlp.up_proj.weight", w3[l], hidden, dim);
            }
            put(t, "model.norm.weight", f, dim);
            f.position(f.position() + seqLen * hd); // legacy freq_cis_real and freq_cis_imag
            if (!shared) {
                put(t, "lm_head.weight", f, vocab, dim);
            }
            return new Llama2cCheckpoint(c, t);
        } catch (IOException e) {
            throw new TensorFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Row r of head h in rotate-half order is row 2r (first half) or 2(r − hd/2) + 1 (second half)
     * of the interleaved layout.
     */
    static float[] toRotateHalf(float[] w, int heads, int hd, int cols) {
        float[] out = new float[w.length];
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < hd; r++) {
                int src = r < half ? 2 * r : 2 * (r - half) + 1;
                System.arraycopy(w, (h * hd + src) * cols, out, (h * hd + r) * cols, cols);
            }
        }
        return out;
    }

    private static float[][] perLayer(FloatBuffer f, int layers, int count) {
        float[][] out = new float[layers][count];
        for (int l = 0; l < layers; l++) {
            f.get(out[l]);
        }
        return out;
    }

    private static void put(Map<String, HostTensor> t, String name, FloatBuffer f, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] data = new float[(int) n];
        f.get(data);
        t.put(name, new HostTensor(name, shape, data));
    }

    private static void add(Map<String, HostTensor> t, String name, float[] data, long... shape) {
        t.put(name, new HostTensor(name, shape, data));
    }
}
