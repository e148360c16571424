package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import dev.personascope.model.hooks.HookContext;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A decoder-only transformer as a forward pass over DJL NDArrays, for every family: token (and
 * position) embedding, blocks of attention and MLP with the norms the family places around them,
 * final norm and output head, with TransformerLens hook points on the residual stream. What differs
 * between families (norm kind, q/k norms, fused projections, soft-capping, sliding windows, NoPE
 * layers) comes from {@link ModelConfig} and {@link ModelWeights}. Computes in the weights' dtype,
 * with norms and softmax in f32 as transformers does; logits are always f32. Owns its weights' native
 * memory; close it when done.
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
    private final DataType dtype;
    /** Each layer's attention spec, equal rotary specs shared as one instance so maps below can key by identity. */
    private final ModelConfig.LayerSpec[] layerSpecs;
    private final Map<ModelConfig.RopeSpec, RopeTables> ropeTables = new IdentityHashMap<>();
    private final Map<Integer, NDArray> rotateHalf = new HashMap<>();

    /** cos and sin [positions, rotary_dim] of one rotary embedding. */
    private record RopeTables(NDArray cos, NDArray sin, int positions) {
    }

    public DecoderModel(ModelConfig config, NDManager manager, ModelWeights weights) {
        this.config = config;
        this.manager = manager;
        this.weights = weights;
        this.dtype = weights.embed.getDataType();
        this.layerSpecs = new ModelConfig.LayerSpec[config.numLayers];
        Map<ModelConfig.RopeSpec, ModelConfig.RopeSpec> shared = new HashMap<>();
        for (int i = 0; i < layerSpecs.length; i++) {
            ModelConfig.LayerSpec spec = config.layer(i);
            ModelConfig.RopeSpec rope = spec.rope() == null ? null : shared.computeIfAbsent(spec.rope(), r -> r);
            layerSpecs[i] = new ModelConfig.LayerSpec(spec.slidingWindow(), rope);
        }
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

    /** The dtype the weights are held and computed in. */
    public DataType dataType() {
        return dtype;
    }

    /**
     * Runs the model over one chunk of tokens. With a cache, the chunk continues the cached
     * sequences and its keys and values are appended. Returns logits [batch, tokens, vocab] in f32
     * (LAST: [batch, 1, vocab] of the final column, i.e. each row's last token in a left-padded batch;
     * NONE: null), created in {@code scope}.
     */
    public NDArray forward(NDManager scope, TokenBatch batch, KvCache cache, Hooks hooks, Logits logits) {
        hooks.validate(config.numLayers);
        int b = batch.size();
        int t = batch.length();
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
        NDArray idArray = scope.create(ids, new Shape(b, t));
        NDArray posArray = scope.create(pos, new Shape(b, t));
        Attention attention = new Attention(scope, posArray, maxPos + 1, batch, cache, positions);

        NDArray h = Embedding.embedding(idArray, weights.embed, SparseFormat.DENSE).singletonOrThrow(); // [B, T, d]
        if (config.scaleEmbeddings) {
            h = h.mul(roundToDtype((float) Math.sqrt(config.hiddenSize)));
        }
        if (weights.positionEmbed != null) {
            if (maxPos >= weights.positionEmbed.getShape().get(0)) {
                throw new IllegalArgumentException("position " + maxPos + " is beyond the model's "
                        + weights.positionEmbed.getShape().get(0) + " learned positions");
            }
            h = h.add(Embedding.embedding(posArray, weights.positionEmbed, SparseFormat.DENSE).singletonOrThrow());
        }
        h = hooks.run(HookPoint.EMBED, h, ctx);
        // without logits or a cache to fill, the layers after the last hooked one change nothing anyone sees
        int layers = logits == Logits.NONE && cache == null ? layersHooked(hooks) : config.numLayers;
        for (int layer = 0; layer < layers; layer++) {
            try (NDManager layerScope = scope.newSubManager()) {
                h.tempAttach(layerScope);
                NDArray out = block(layer, h, attention, cache, hooks, ctx);
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
        NDArray normalized = hooks.run(HookPoint.LN_FINAL, weights.finalNorm.normalize(h), ctx);
        NDArray normed = weights.finalNorm.scale(normalized, dtype);
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

    /** The output head: final hidden states [..., d] to f32 logits [..., vocab], soft-capped where the family does. */
    public NDArray project(NDArray hidden) {
        NDArray out = ai.djl.nn.core.Linear.linear(hidden, weights.lmHead).singletonOrThrow();
        if (out.getDataType() != DataType.FLOAT32) {
            out = out.toType(DataType.FLOAT32, false);
        }
        return config.finalSoftcap > 0 ? softcap(out, config.finalSoftcap) : out;
    }

    /** c · tanh(x / c) (Gemma 2's soft-capping). */
    private static NDArray softcap(NDArray x, double cap) {
        return x.div((float) cap).tanh().mul((float) cap);
    }

    /** A scalar rounded to the compute dtype, as transformers builds Gemma's embedding normaliser. */
    private float roundToDtype(float v) {
        if (dtype == DataType.FLOAT32) {
            return v;
        }
        try (NDManager tmp = manager.newSubManager()) {
            return tmp.create(v).toType(dtype, false).toType(DataType.FLOAT32, false).getFloat();
        }
    }

    /** How many blocks must run for every hook to see its activation: up to the last hooked block (all for ln_final). */
    private int layersHooked(Hooks hooks) {
        int needed = 0;
        for (String p : hooks.points()) {
            needed = Math.max(needed, p.equals(HookPoint.LN_FINAL) ? config.numLayers : HookPoint.layerOf(p) + 1);
        }
        return needed;
    }

    private static boolean hooksAfterBlocks(Hooks hooks) {
        for (String p : hooks.points()) {
            if (p.equals(HookPoint.LN_FINAL)) {
                return true;
            }
        }
        return false;
    }

    /** What every layer's attention shares in one forward call: rotary cos/sin and masks, made once each. */
    private final class Attention {
        final NDManager scope;
        final NDArray posArray;
        final int positions;
        final TokenBatch batch;
        final KvCache cache;
        final int[][] tokenPositions;
        final Map<ModelConfig.RopeSpec, NDArray[]> cosSin = new IdentityHashMap<>();
        final Map<Integer, NDArray> masks = new HashMap<>();

        Attention(NDManager scope, NDArray posArray, int positions, TokenBatch batch, KvCache cache, int[][] tokenPositions) {
            this.scope = scope;
            this.posArray = posArray;
            this.positions = positions;
            this.batch = batch;
            this.cache = cache;
            this.tokenPositions = tokenPositions;
        }

        /** cos and sin per token: [B, 1, T, rotary_dim], broadcast over heads. */
        NDArray[] cosSin(ModelConfig.RopeSpec spec) {
            return cosSin.computeIfAbsent(spec, s -> {
                RopeTables tables = ropeTables(s, positions);
                NDArray cos = Embedding.embedding(posArray, tables.cos(), SparseFormat.DENSE).singletonOrThrow().expandDims(1);
                NDArray sin = Embedding.embedding(posArray, tables.sin(), SparseFormat.DENSE).singletonOrThrow().expandDims(1);
                return new NDArray[] {cos, sin};
            });
        }

        /**
         * Additive mask [B, 1, 1, T, S] for a sliding window (0 = none), or null when it masks nothing (a
         * decoding step of unpadded rows), so that adding it can be skipped.
         */
        NDArray mask(int window) {
            if (masks.containsKey(window)) {
                return masks.get(window);
            }
            int prior = cache == null ? 0 : cache.slots();
            float[] m = attentionMask(batch, cache, tokenPositions, window);
            NDArray made = masksNothing(m) ? null
                    : scope.create(m, new Shape(batch.size(), 1, 1, batch.length(), prior + batch.length()));
            masks.put(window, made);
            return made;
        }
    }

    /** One decoder block; shapes in comments use B batch, T tokens, S cached+new slots, d model width. */
    private NDArray block(int layer, NDArray h, Attention att, KvCache cache, Hooks hooks, HookContext ctx) {
        ModelWeights.Block w = weights.blocks[layer];
        ModelConfig.LayerSpec spec = layerSpecs[layer];
        long b = h.getShape().get(0);
        long t = h.getShape().get(1);
        int hd = config.headDim;
        int kvHeads = config.numKvHeads;
        int group = config.numHeads / kvHeads;

        h = hooks.run(HookPoint.residPre(layer), h, ctx);
        NDArray x = w.attnNorm == null ? h : w.attnNorm.apply(h);
        NDArray q;
        NDArray k;
        NDArray v;
        if (w.qkv != null) {
            NDArray all = w.qkv.forward(x);
            q = all.get(new NDIndex("..., :{}", config.qDim()));
            k = all.get(new NDIndex("..., {}:{}", config.qDim(), config.qDim() + config.kvDim()));
            v = all.get(new NDIndex("..., {}:", config.qDim() + config.kvDim()));
        } else {
            q = w.q.forward(x);
            k = w.k.forward(x);
            v = w.v.forward(x);
        }
        if (config.qkNorm == ModelConfig.QkNorm.FULL) {
            q = w.qNorm.apply(q);
            k = w.kNorm.apply(k);
        }
        if (t == 1) { // a decoding step: [B, 1, H·hd] is [B, H, 1, hd] already, no transpose needed
            q = q.reshape(b, config.numHeads, 1, hd);
            k = k.reshape(b, kvHeads, 1, hd);
            v = v.reshape(b, kvHeads, 1, hd);
        } else {
            q = q.reshape(b, t, config.numHeads, hd).transpose(0, 2, 1, 3);          // [B, H, T, hd]
            k = k.reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);                  // [B, Hkv, T, hd]
            v = v.reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
        }
        if (config.qkNorm == ModelConfig.QkNorm.PER_HEAD) { // over head_dim, whatever the head/token order
            q = w.qNorm.apply(q);
            k = w.kNorm.apply(k);
        }
        if (spec.rope() != null) {
            NDArray[] cs = att.cosSin(spec.rope());
            q = rotate(q, cs[0], cs[1], spec.rope().rotaryDim());
            k = rotate(k, cs[0], cs[1], spec.rope().rotaryDim());
        }
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long slots = k.getShape().get(2);
        // grouped-query attention without copying K/V: the `group` query heads that share a KV head are
        // stacked along the token axis, [B, Hkv, group*T, hd] x [B, Hkv, hd, S]
        NDArray scores = q.reshape(b, kvHeads, group * t, hd).matMul(k.transpose(0, 1, 3, 2))
                .reshape(b, kvHeads, group, t, slots);
        if (scores.getDataType() != DataType.FLOAT32) {
            scores = scores.toType(DataType.FLOAT32, false);
        }
        scores = scores.mul((float) config.scale());
        if (config.attentionSoftcap > 0) {
            scores = softcap(scores, config.attentionSoftcap);
        }
        NDArray mask = att.mask(spec.slidingWindow());                                 // [B, 1, 1, T, S]
        NDArray probs = (mask == null ? scores : scores.add(mask)).softmax(-1).reshape(b, kvHeads, group * t, slots);
        if (dtype != DataType.FLOAT32) {
            probs = probs.toType(dtype, false);
        }
        NDArray attn = probs.matMul(v);                                               // [B, Hkv, g*T, hd]
        attn = t == 1 ? attn.reshape(b, 1, config.qDim())
                : attn.reshape(b, config.numHeads, t, hd).transpose(0, 2, 1, 3).reshape(b, t, config.qDim());
        NDArray attnOut = w.o.forward(attn);
        if (w.attnOutNorm != null) {
            attnOut = w.attnOutNorm.apply(attnOut);
        }
        attnOut = hooks.run(HookPoint.attnOut(layer), attnOut, ctx);
        h = hooks.run(HookPoint.residMid(layer), h.add(attnOut), ctx);

        NDArray y = w.mlpNorm == null ? h : w.mlpNorm.apply(h);
        NDArray mlp;
        if (w.gateUp != null) {
            NDArray gu = w.gateUp.forward(y);
            NDArray gate = gu.get(new NDIndex("..., :{}", config.intermediateSize));
            NDArray up = gu.get(new NDIndex("..., {}:", config.intermediateSize));
            mlp = w.down.forward(activate(gate).mul(up));
        } else if (w.gate != null) {
            mlp = w.down.forward(activate(w.gate.forward(y)).mul(w.up.forward(y)));
        } else {
            mlp = w.down.forward(activate(w.up.forward(y)));
        }
        if (w.mlpOutNorm != null) {
            mlp = w.mlpOutNorm.apply(mlp);
        }
        mlp = hooks.run(HookPoint.mlpOut(layer), mlp, ctx);
        h = hooks.run(HookPoint.residPost(layer), h.add(mlp), ctx);
        return h;
    }

    private NDArray activate(NDArray x) {
        return switch (config.activation) {
            case SILU -> x.mul(Activation.sigmoid(x));
            // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))): transformers' gelu_pytorch_tanh / gelu_new
            case GELU_TANH -> x.mul(x.pow(3).mul(0.044715f).add(x).mul((float) Math.sqrt(2 / Math.PI)).tanh().add(1f)).mul(0.5f);
        };
    }

    /**
     * Rotate-half RoPE on the first {@code dim} features: x·cos + rotate_half(x)·sin with
     * rotate_half(x) = [−x₂, x₁], computed as one matmul with a fixed signed permutation; the rest
     * pass through (partial rotary embedding).
     */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin, int dim) {
        NDArray r = rotateHalf.computeIfAbsent(dim, d -> manager.create(rotateHalfMatrix(d), new Shape(d, d)).toType(dtype, false));
        if (dim == config.headDim) {
            return x.mul(cos).add(x.matMul(r).mul(sin));
        }
        NDArray rot = x.get(new NDIndex("..., :{}", dim));
        NDArray pass = x.get(new NDIndex("..., {}:", dim));
        return rot.mul(cos).add(rot.matMul(r).mul(sin)).concat(pass, -1);
    }

    /** R with x·R = rotate_half(x): R[i + h][i] = −1 and R[i][i + h] = 1 for i < h = dim / 2. */
    private static float[] rotateHalfMatrix(int hd) {
        int half = hd / 2;
        float[] r = new float[hd * hd];
        for (int i = 0; i < half; i++) {
            r[(i + half) * hd + i] = -1f;
            r[i * hd + i + half] = 1f;
        }
        return r;
    }

    private static boolean masksNothing(float[] mask) {
        for (float v : mask) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
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
     * it and, with a sliding window w, fewer than w positions back), else -1e9. A token always sees
     * itself, so padding rows never become all-masked (no NaN).
     */
    private static float[] attentionMask(TokenBatch batch, KvCache cache, int[][] positions, int window) {
        int b = batch.size();
        int t = batch.length();
        int prior = cache == null ? 0 : cache.slots();
        int s = prior + t;
        float[] m = new float[b * t * s];
        int[] keyPos = new int[s];
        for (int i = 0; i < b; i++) {
            int real = 0;
            for (int j = 0; j < prior; j++) {
                keyPos[j] = real;
                if (cache.slotValid(i, j)) {
                    real++;
                }
            }
            for (int j = 0; j < t; j++) {
                keyPos[prior + j] = positions[i][j];
            }
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
                    if (ok && window > 0 && positions[i][q] - keyPos[j] >= window) {
                        ok = false;
                    }
                    m[base + j] = ok ? 0f : MASKED;
                }
            }
        }
        return m;
    }

    /** The cos/sin tables of a rotary embedding, grown (doubled) when a longer sequence needs them. */
    private RopeTables ropeTables(ModelConfig.RopeSpec spec, int needed) {
        RopeTables have = ropeTables.get(spec);
        if (have != null && have.positions() >= needed) {
            return have;
        }
        int size = Math.max(needed, Math.max(1024, have == null ? 0 : have.positions() * 2));
        float[][] tables = Rope.tables(spec, size);
        if (have != null) {
            have.cos().close();
            have.sin().close();
        }
        int d = spec.rotaryDim();
        RopeTables made = new RopeTables(manager.create(tables[0], new Shape(size, d)).toType(dtype, false),
                manager.create(tables[1], new Shape(size, d)).toType(dtype, false), size);
        ropeTables.put(spec, made);
        return made;
    }

    @Override
    public void close() {
        manager.close();
    }
}
