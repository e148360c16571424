package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the activation of selected tokens into Java memory, per batch row and in token order, across
 * every forward call it sees (so during generation it collects prompt and then response tokens).
 */
public final class CaptureHook implements Hook {
    private final TokenScope scope;
    private final List<List<float[]>> rows = new ArrayList<>();
    private final List<List<Integer>> positions = new ArrayList<>();

    public CaptureHook(TokenScope scope) {
        this.scope = scope;
    }

    @Override
    public NDArray apply(NDArray activation, HookContext ctx) {
        int b = ctx.batchSize();
        int t = ctx.length();
        int d = (int) activation.getShape().get(2);
        float[] all = activation.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? activation.toFloatArray()
                : activation.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        while (rows.size() < b) {
            rows.add(new ArrayList<>());
            positions.add(new ArrayList<>());
        }
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                if (ctx.selected(i, j, scope)) {
                    float[] v = new float[d];
                    System.arraycopy(all, (i * t + j) * d, v, 0, d);
                    rows.get(i).add(v);
                    positions.get(i).add(ctx.position(i, j));
                }
            }
        }
        return activation;
    }

    /** The captured vectors of batch row {@code b}, [tokens][d_model]. */
    public float[][] row(int b) {
        return b < rows.size() ? rows.get(b).toArray(new float[0][]) : new float[0][];
    }

    /** Positions (in the sequence) of the captured tokens of row {@code b}. */
    public int[] positions(int b) {
        return b < positions.size() ? positions.get(b).stream().mapToInt(Integer::intValue).toArray() : new int[0];
    }

    public int rowCount() {
        return rows.size();
    }

    /** All captured vectors, row after row. */
    public float[][] all() {
        List<float[]> out = new ArrayList<>();
        rows.forEach(out::addAll);
        return out.toArray(new float[0][]);
    }

    public void clear() {
        rows.clear();
        positions.clear();
    }
}
