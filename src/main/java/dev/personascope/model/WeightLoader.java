package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.TensorFormatException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Creates a model's parameters from checkpoint tensors, by name, checking each shape, in the dtype
 * the model computes in. Families call it with their own names ({@link ModelFamily#loadWeights}).
 */
public final class WeightLoader {
    /** Where tensors come from: a checkpoint, or random numbers; returns null when a name is absent. */
    public interface Source {
        HostTensor get(String name, long[] shape);

        /** Whether the source has a tensor of this name (families probe alternative names with it). */
        default boolean contains(String name) {
            return true;
        }
    }

    private final NDManager manager;
    private final Source source;
    private final DataType dtype;
    private final String where;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();
    private final Set<String> transposed = new LinkedHashSet<>();

    public WeightLoader(NDManager manager, Source source, DataType dtype, String where) {
        this.manager = manager;
        this.source = source;
        this.dtype = dtype;
        this.where = where;
    }

    /** The tensor {@code name}, which must have {@code shape}. */
    public NDArray get(String name, long... shape) {
        HostTensor t = source.get(name, shape);
        if (t == null) {
            throw new TensorFormatException(where + ": missing tensor '" + name + "' (expected shape " + Arrays.toString(shape) + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new TensorFormatException(where + ": tensor '" + name + "' has shape " + t.shapeString()
                    + ", expected " + Arrays.toString(shape));
        }
        float[] data = t.data();
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new TensorFormatException(where + ": tensor '" + name + "' holds " + data[i] + " at element " + i
                        + " (weights must be finite numbers)");
            }
        }
        NDArray a = manager.create(data, new Shape(shape));
        if (dtype != DataType.FLOAT32) {
            NDArray cast = a.toType(dtype, false);
            a.close();
            a = cast;
        }
        a.setName(name);
        loaded.put(name, a);
        return a;
    }

    /** A [rows, cols] parameter stored transposed ([cols, rows]) in the checkpoint, as GPT-2's Conv1D does. */
    public NDArray getTransposed(String name, long rows, long cols) {
        NDArray stored = get(name, cols, rows);
        NDArray t = stored.transpose().duplicate();
        t.setName(name);
        stored.close();
        loaded.put(name, t);
        transposed.add(name);
        return t;
    }

    /** Whether the checkpoint has a tensor of this name. */
    public boolean has(String name) {
        return source.contains(name);
    }

    /** An nn.Linear: {@code prefix.weight} [out, in] and, with {@code bias}, {@code prefix.bias} [out]. */
    public LinearLayer linear(String prefix, long out, long in, boolean bias) {
        NDArray w = get(prefix + ".weight", out, in);
        NDArray b = bias ? get(prefix + ".bias", out) : null;
        return new LinearLayer(prefix, w, b);
    }

    /** A Conv1D (GPT-2): {@code prefix.weight} stored [in, out], {@code prefix.bias} [out]. */
    public LinearLayer conv1d(String prefix, long out, long in) {
        NDArray w = getTransposed(prefix + ".weight", out, in);
        NDArray b = get(prefix + ".bias", out);
        return new LinearLayer(prefix, w, b, true);
    }

    /** A norm of width {@code dim}: {@code prefix.weight} and, for LayerNorm, {@code prefix.bias}. */
    public Norm norm(String prefix, ModelConfig c, long dim) {
        NDArray w = get(prefix + ".weight", dim);
        NDArray b = c.norm == ModelConfig.NormKind.LAYER ? get(prefix + ".bias", dim) : null;
        return new Norm(c.norm, w, b, c.rmsNormEps);
    }

    /** Every parameter created, by checkpoint name, in load order. */
    public Map<String, NDArray> loaded() {
        return loaded;
    }

    /** The names of parameters held transposed relative to the checkpoint. */
    public Set<String> transposed() {
        return transposed;
    }
}
