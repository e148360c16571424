package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import dev.personascope.model.hooks.HookContext;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;

/**
 * The Llama-family decoder (Llama 2/3, Mistral, Qwen2, SmolLM) as a forward pass over DJL NDArrays:
 * RMSNorm, rotary embeddings, grouped-query attention, SwiGLU MLP, residual hook points.
 * Owns its weights' native memory; close it when done.
 */
public final class DecoderModel implements AutoCloseable {
    /** Which logits a forward call returns. */
    public enum Logits {
        ALL, LAST, NONE,
        /** No logits: the final normalised hidden states [B, T, d], for losses that project only some positions. */
        HIDDEN
    }

    private static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final NDManager manager;
    private final ModelWeights weights;
    private NDArray cosTable;
    private NDArray sinTable;
    private final NDArray rotateHalf;
    private int tablePositions;

    public DecoderModel(ModelConfig config, NDManager manager, ModelWeights weights) {
        this.config = config;
        this.manager = manager;
        this.weights = weights;
        this.rotateHalf = manager.create(rotateHalfMatrix(config.headDim), new Shape(config.headDim, config.headDim));
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * Runs the model over one chunk of tokens. With a cache, the chunk continues the cached
     * sequences and its keys and values are appended. Returns logits [batch, tokens, vocab]
     * (LAST: [batch, 1, vocab] of the final column, i.e. each row's last token in a left-padded batch;
     * NONE: null), created in {@code scope}. Mistral's sliding window is not applied, so outputs are
     * exact up to the window length (4096 for Mistral-7B v0.1; later Mistrals have none).
     */
    public NDArray forward(NDManager scope, TokenBatch batch, KvCache cache, Hooks hooks, Logits logits) {
        hooks.validate(config.numLayers);
        int b = batch.size();
        int t = batch.length();
        int prior = cache == null ? 0 : cache.slots();
        if (cache != null && cache.batchSize() != b) {
            throw new IllegalArgumentException("cache holds " + cache.batchSize() + " rows, batch has " + b);
        }
        int[][] positions = positions(batch, cache);
        HookContext ctx = new HookContext(batch.valid, batch.response, positions);

        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        int maxPos = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int id = batch.tokens[i][j];
                if (id < 0 || id >= config.vocabSize) {
                    throw new IllegalArgumentException("token id " + id + " at batch row " + i + ", position " + j
                            + " is outside the vocabulary of " + config.vocabSize);
                }
                ids[i * t + j] = id;
                pos[i * t + j] = positions[i][j];
                maxPos = Math.max(maxPos, positions[i][j]);
            }
        }
        ensureRopeTables(maxPos + 1);
        NDArray idArray = scope.create(ids, new Shape(b, t));
        NDArray posArray = scope.create(pos, new Shape(b, t));
        // cos/sin per token: [B, 1, T, head_dim], broadcast over heads
        NDArray cos = Embedding.embedding(posArray, cosTable, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
        NDArray sin = Embedding.embedding(posArray, sinTable, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
        NDArray mask = scope.create(attentionMask(batch, cache), new Shape(b, 1, 1, t, prior + t));

        NDArray h = Embedding.embedding(idArray, weights.embed, SparseFormat.DENSE).singletonOrThrow(); // [B, T, d]
        h = hooks.run(HookPoint.EMBED, h, ctx);
        for (int layer = 0; layer < config.numLayers; layer++) {
            try (NDManager layerScope = scope.newSubManager()) {
                h.tempAttach(layerScope);
                NDArray out = block(layer, h, cos, sin, mask, cache, hooks, ctx);
                out.attach(scope);
                h = out;
            }
        }
        if (cache != null) {
            cache.commit(batch);
        }
        if (logits == Logits.NONE && !hooksAfterBlocks(hooks)) {
            return null;
        }
        NDArray normed = hooks.run(HookPoint.LN_FINAL, rmsNormalize(h), ctx).mul(weights.finalNorm);
        if (logits == Logits.NONE) {
            return null;
        }
        if (logits == Logits.HIDDEN) {
            return normed;
        }
        if (logits == Logits.LAST) {
            normed = normed.get(new NDIndex(":, -1:, :"));
        }
        return project(normed); // [B, T, vocab]
    }

    /** The output head: final hidden states [..., d] to logits [..., vocab]. */
    public NDArray project(NDArray hidden) {
        return ai.djl.nn.core.Linear.linear(hidden, weights.lmHead).singletonOrThrow();
    }

    private static boolean hooksAfterBlocks(Hooks hooks) {
        for (String p : hooks.points()) {
            if (p.equals(HookPoint.LN_FINAL)) {
                return true;
            }
        }
        return false;
    }

    /** One decoder block; shapes in comments use B batch, T tokens, S cached+new slots, d model width. */
    private NDArray block(int layer, NDArray h, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                          Hooks hooks, HookContext ctx) {
        ModelWeights.Block w = weights.blocks[layer];
        long b = h.getShape().get(0);
        long t = h.getShape().get(1);
        int hd = config.headDim;
        int kvHeads = config.numKvHeads;
        int group = config.numHeads / kvHeads;

        h = hooks.run(HookPoint.residPre(layer), h, ctx);
        NDArray x = rmsNormalize(h).mul(w.inputNorm);
        NDArray q = w.q.forward(x).reshape(b, t, config.numHeads, hd).transpose(0, 2, 1, 3); // [B, H, T, hd]
        NDArray k = w.k.forward(x).reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);         // [B, Hkv, T, hd]
        NDArray v = w.v.forward(x).reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
        q = rotate(q, cos, sin);
        k = rotate(k, cos, sin);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long slots = k.getShape().get(2);
        // grouped-query attention without copying K/V: the `group` query heads that share a KV head are
        // stacked along the token axis, [B, Hkv, group*T, hd] x [B, Hkv, hd, S]
        NDArray scores = q.reshape(b, kvHeads, group * t, hd).matMul(k.transpose(0, 1, 3, 2))
                .reshape(b, kvHeads, group, t, slots).mul(1.0 / Math.sqrt(hd)).add(mask); // mask [B, 1, 1, T, S]
        NDArray probs = scores.softmax(-1).reshape(b, kvHeads, group * t, slots);
        NDArray attn = probs.matMul(v)                                                      // [B, Hkv, g*T, hd]
                .reshape(b, config.numHeads, t, hd).transpose(0, 2, 1, 3).reshape(b, t, config.qDim());
        NDArray attnOut = hooks.run(HookPoint.attnOut(layer), w.o.forward(attn), ctx);
        h = hooks.run(HookPoint.residMid(layer), h.add(attnOut), ctx);

        NDArray y = rmsNormalize(h).mul(w.postAttentionNorm);
        NDArray gate = w.gate.forward(y);
        NDArray mlp = w.down.forward(gate.mul(Activation.sigmoid(gate)).mul(w.up.forward(y))); // SwiGLU
        mlp = hooks.run(HookPoint.mlpOut(layer), mlp, ctx);
        h = hooks.run(HookPoint.residPost(layer), h.add(mlp), ctx);
        return h;
    }

    /** x / sqrt(mean(x²) + eps) over the last axis; the weight is applied by the caller. */
    private NDArray rmsNormalize(NDArray x) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add((float) config.rmsNormEps).sqrt());
    }

    /**
     * Rotate-half RoPE: x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁], computed as one
     * matmul with a fixed signed permutation (fewer native calls than slicing).
     */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
    }

    /** R with x·R = rotate_half(x): R[i + h][i] = −1 and R[i][i + h] = 1 for i < h = head_dim / 2. */
    private static float[] rotateHalfMatrix(int hd) {
        int half = hd / 2;
        float[] r = new float[hd * hd];
        for (int i = 0; i < half; i++) {
            r[(i + half) * hd + i] = -1f;
            r[i * hd + i + half] = 1f;
        }
        return r;
    }

    /** Position of each token: the count of real tokens before it in its sequence. */
    private static int[][] positions(TokenBatch batch, KvCache cache) {
        int[][] out = new int[batch.size()][batch.length()];
        for (int i = 0; i < batch.size(); i++) {
            int p = cache == null ? 0 : cache.realCount(i);
            for (int j = 0; j < batch.length(); j++) {
                out[i][j] = p;
                if (batch.valid[i][j]) {
                    p++;
                }
            }
        }
        return out;
    }

    /**
     * Additive mask [B, T, S]: 0 where query token i may attend to slot j (a real token at or before
     * it), else -1e9. A token always sees itself, so padding rows never become all-masked (no NaN).
     */
    private static float[] attentionMask(TokenBatch batch, KvCache cache) {
        int b = batch.size();
        int t = batch.length();
        int prior = cache == null ? 0 : cache.slots();
        int s = prior + t;
        float[] m = new float[b * t * s];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < t; q++) {
                int base = (i * t + q) * s;
                for (int j = 0; j < s; j++) {
                    boolean ok;
                    if (j < prior) {
                        ok = cache.slotValid(i, j);
                    } else {
                        int kj = j - prior;
                        ok = kj == q || (kj < q && batch.valid[i][kj]);
                    }
                    m[base + j] = ok ? 0f : MASKED;
                }
            }
        }
        return m;
    }

    private void ensureRopeTables(int needed) {
        if (needed <= tablePositions) {
            return;
        }
        int size = Math.max(needed, Math.max(1024, tablePositions * 2));
        float[][] tables = Rope.tables(config, size);
        if (cosTable != null) {
            cosTable.close();
            sinTable.close();
        }
        cosTable = manager.create(tables[0], new Shape(size, config.headDim));
        sinTable = manager.create(tables[1], new Shape(size, config.headDim));
        tablePositions = size;
    }

    @Override
    public void close() {
        manager.close();
    }
}
