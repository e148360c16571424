package dev.personascope.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;

/**
 * A low-rank update of one projection (Hu et al. 2021): Δy = scale · B A dropout(x), with
 * A [rank, in], B [out, rank] and scale = alpha / rank (alpha / √rank with rsLoRA).
 */
public final class LoraAdapter implements AutoCloseable {
    private final NDArray a;
    private final NDArray b;
    private final float scale;
    private final float dropout;
    private boolean training;

    public LoraAdapter(NDArray a, NDArray b, float scale, float dropout) {
        this.a = a;
        this.b = b;
        this.scale = scale;
        this.dropout = dropout;
    }

    /** x [..., in] -> Δy [..., out], in x's manager. */
    public NDArray delta(NDArray x) {
        NDArray in = training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
        return Linear.linear(Linear.linear(in, a).singletonOrThrow(), b).singletonOrThrow().mul(scale);
    }

    public NDArray a() {
        return a;
    }

    public NDArray b() {
        return b;
    }

    public float scale() {
        return scale;
    }

    public int rank() {
        return (int) a.getShape().get(0);
    }

    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
