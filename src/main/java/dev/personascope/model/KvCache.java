package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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

    /** Appends this layer's new keys and values and returns the whole cache for the layer. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray newK = keys[layer] == null ? k.duplicate() : NDArrays.concat(new NDList(keys[layer], k), 2);
        NDArray newV = values[layer] == null ? v.duplicate() : NDArrays.concat(new NDList(values[layer], v), 2);
        newK.attach(manager);
        newV.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = newK;
        values[layer] = newV;
        return new NDArray[] {newK, newV};
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
