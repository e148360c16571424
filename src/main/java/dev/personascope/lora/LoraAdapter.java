package dev.personascope.lora;

import dev.personascope.util.NdArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.personascope.model.LinearAdapter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A low-rank update of one projection (Hu et al. 2021): Δy = s · B A dropout(x), with A [rank, in],
 * B [out, rank] and s = alpha / rank (alpha / √rank with rsLoRA). With a magnitude vector m [out] it is
 * DoRA (Liu et al. 2024) as PEFT computes it: y = (m / ‖W + s·BA‖_row) ⊙ (x Wᵀ + s · B A x) + bias, the
 * row norm detached from the gradient (the paper's section 4.3). The adapter's tensors are f32 whatever
 * the base weights' dtype.
 */
public final class LoraAdapter implements LinearAdapter {
    private final NDArray a;
    private final NDArray b;
    private final NDArray magnitude;
    private final float scale;
    private final float dropout;
    private boolean training;

    public LoraAdapter(NDArray a, NDArray b, float scale, float dropout) {
        this(a, b, null, scale, dropout);
    }

    /** {@code magnitude} non-null makes it DoRA. */
    public LoraAdapter(NDArray a, NDArray b, NDArray magnitude, float scale, float dropout) {
        this.a = a;
        this.b = b;
        this.magnitude = magnitude;
        this.scale = scale;
        this.dropout = dropout;
    }

    @Override
    public NDArray delta(NDArray x, NDArray base, NDArray weight) {
        NDArray in = training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
        NDArray in32 = in.getDataType() == DataType.FLOAT32 ? in : in.toType(DataType.FLOAT32, false);
        NDArray lora = Linear.linear(Linear.linear(in32, a).singletonOrThrow(), b).singletonOrThrow().mul(scale);
        if (magnitude == null) {
            return lora.getDataType() == x.getDataType() ? lora : lora.toType(x.getDataType(), false);
        }
        NDArray w32 = weight.getDataType() == DataType.FLOAT32 ? weight : weight.toType(DataType.FLOAT32, false);
        NDArray norm = rowNorm(w32.add(b.matMul(a).mul(scale))).stopGradient();  // [out]
        NDArray magScale = magnitude.div(norm);                                    // [out], broadcast over rows
        // with dropout in training PEFT recomputes the base output on the dropped-out input
        NDArray base32 = in != x ? Linear.linear(in32, w32).singletonOrThrow()
                : base.getDataType() == DataType.FLOAT32 ? base : base.toType(DataType.FLOAT32, false);
        NDArray out = magScale.sub(1f).mul(base32).add(magScale.mul(lora));
        return out.getDataType() == x.getDataType() ? out : out.toType(x.getDataType(), false);
    }

    /** L2 norm of each row of W [out, in] over the input dimension. */
    private static NDArray rowNorm(NDArray w) {
        return w.square().sum(new int[] {1}).sqrt();
    }

    @Override
    public void mergeInto(NDArray weight) {
        try (NDManager tmp = weight.getManager().newSubManager()) {
            NDArray w32 = weight.toType(DataType.FLOAT32, true);
            w32.attach(tmp);
            NDArray delta = b.matMul(a).mul(scale);
            delta.attach(tmp);
            NDArray merged = w32.add(delta);
            merged.attach(tmp);
            if (magnitude != null) {
                NDArray norm = rowNorm(merged);
                norm.attach(tmp);
                merged = merged.mul(magnitude.div(norm).expandDims(1));
                merged.attach(tmp);
            }
            NdArrays.overwrite(weight, merged);
        }
    }

    @Override
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("lora_A.weight", a);
        out.put("lora_B.weight", b);
        if (magnitude != null) {
            out.put("lora_magnitude_vector", magnitude);
        }
        return out;
    }

    public NDArray a() {
        return a;
    }

    public NDArray b() {
        return b;
    }

    /** DoRA's magnitude vector [out], or null for plain LoRA. */
    public NDArray magnitude() {
        return magnitude;
    }

    public float scale() {
        return scale;
    }

    public int rank() {
        return (int) a.getShape().get(0);
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        if (magnitude != null) {
            magnitude.close();
        }
    }
}
