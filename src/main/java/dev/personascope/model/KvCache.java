package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer for the tokens seen so far, [batch, kv_heads, slots, head_dim],
 * plus which slots hold real tokens and how many real tokens each row has (its next position).
 * Owns its arrays; close it when the generation ends.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private boolean[][] validSlots;
    private final int[] realCount;
    private NDIndex[] indices;
    private int indicesUsed;
    private long indicesT;

    public KvCache(NDManager parent, int numLayers, int batch) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
        this.validSlots = new boolean[batch][0];
        this.realCount = new int[batch];
    }

    public int slots() {
        return validSlots.length == 0 ? 0 : validSlots[0].length;
    }

    public int batchSize() {
        return realCount.length;
    }

    boolean slotValid(int b, int s) {
        return validSlots[b][s];
    }

    int realCount(int b) {
        return realCount[b];
    }

    /**
     * Writes this layer's new keys and values [B, Hkv, T, hd] after the cached slots and returns views
     * of all filled slots. Storage is preallocated and doubled when full, so a decoding step copies
     * only its own token instead of the whole cache.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        int used = slots();
        long t = k.getShape().get(2);
        if (keys[layer] == null || used + t > keys[layer].getShape().get(2)) {
            long capacity = Math.max(used + t, Math.max(64, 2L * used));
            keys[layer] = grow(keys[layer], k, capacity, used);
            values[layer] = grow(values[layer], v, capacity, used);
        }
        NDIndex[] at = indices(used, t);
        keys[layer].set(at[0], k);
        values[layer].set(at[0], v);
        return new NDArray[] {keys[layer].get(k.getManager(), at[1]), values[layer].get(v.getManager(), at[1])};
    }

    /** The slots a chunk of {@code t} tokens after {@code used} fills, and all filled ones: made once per chunk, not per layer. */
    private NDIndex[] indices(int used, long t) {
        if (indices == null || indicesUsed != used || indicesT != t) {
            indices = new NDIndex[] {new NDIndex(":, :, {}:{}", used, used + t), new NDIndex(":, :, :{}", used + t)};
            indicesUsed = used;
            indicesT = t;
        }
        return indices;
    }

    /** New storage [B, Hkv, capacity, hd] holding the first {@code used} slots of the old one. */
    private NDArray grow(NDArray old, NDArray like, long capacity, int used) {
        Shape s = like.getShape();
        NDArray fresh = manager.zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)), like.getDataType());
        if (old != null) {
            NDIndex keep = new NDIndex(":, :, :{}", used);
            fresh.set(keep, old.get(keep));
            old.close();
        }
        return fresh;
    }

    /** Records which of the chunk's tokens were real, once all layers have appended it. */
    void commit(TokenBatch chunk) {
        int b = chunk.size();
        int old = slots();
        int t = chunk.length();
        boolean[][] grown = new boolean[b][old + t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(validSlots[i], 0, grown[i], 0, old);
            for (int j = 0; j < t; j++) {
                grown[i][old + j] = chunk.valid[i][j];
                if (chunk.valid[i][j]) {
                    realCount[i]++;
                }
            }
        }
        validSlots = grown;
    }

    @Override
    public void close() {
        manager.close();
    }
}
