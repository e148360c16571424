package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A normalisation layer: RMSNorm (Zhang and Sennrich 2019), Gemma's RMSNorm with gain (1 + w), or
 * LayerNorm with bias. Computed in f32 whatever the activations' dtype, as transformers does.
 */
public final class Norm {
    private final ModelConfig.NormKind kind;
    private final NDArray weight;
    private final NDArray bias;
    private final float eps;

    public Norm(ModelConfig.NormKind kind, NDArray weight, NDArray bias, double eps) {
        this.kind = kind;
        this.weight = weight;
        this.bias = bias;
        this.eps = (float) eps;
    }

    /** The normalised input before the gain is applied, in f32. */
    public NDArray normalize(NDArray x) {
        NDArray f = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        if (kind == ModelConfig.NormKind.LAYER) {
            NDArray centered = f.sub(f.mean(new int[] {-1}, true));
            NDArray var = centered.square().mean(new int[] {-1}, true);
            return centered.div(var.add(eps).sqrt());
        }
        NDArray ms = f.square().mean(new int[] {-1}, true);
        return f.div(ms.add(eps).sqrt());
    }

    /** Applies the gain (and bias) to a normalised f32 input and returns it in {@code dtype}. */
    public NDArray scale(NDArray normalized, DataType dtype) {
        NDArray w = weight.getDataType() == DataType.FLOAT32 ? weight : weight.toType(DataType.FLOAT32, false);
        NDArray y = switch (kind) {
            case RMS -> normalized.mul(w);
            case RMS_PLUS_ONE -> normalized.mul(w.add(1f));
            case LAYER -> {
                NDArray s = normalized.mul(w);
                yield bias == null ? s : s.add(bias.getDataType() == DataType.FLOAT32 ? bias : bias.toType(DataType.FLOAT32, false));
            }
        };
        return dtype == DataType.FLOAT32 ? y : y.toType(dtype, false);
    }

    public NDArray apply(NDArray x) {
        return scale(normalize(x), x.getDataType());
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }
}
