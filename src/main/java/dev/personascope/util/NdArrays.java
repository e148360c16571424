package dev.personascope.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Overwrites the values of an existing array in place.
 *
 * <p>Use this instead of DJL's {@code NDArray.set(Buffer)}, {@code set(float[])} and {@code copyTo}: those go through
 * DJL's native {@code torchSet}, which takes libtorch's deprecated {@code AutoNonVariableTypeMode} guard, and libtorch
 * then prints "Warning: AutoNonVariableTypeMode is deprecated ..." on stderr (once per process, before whatever the
 * command prints next). An indexed assignment ({@code a[...] = values}) does the same copy without that guard.
 */
public final class NdArrays {
    private static final NDIndex ALL = new NDIndex("...");

    private NdArrays() {
    }

    /** {@code target[...] = values}, cast to the target's type; gradients are not recorded (a copy into a parameter). */
    public static void overwrite(NDArray target, NDArray values) {
        if (!target.getShape().equals(values.getShape())) {
            throw new IllegalArgumentException("cannot copy values of shape " + values.getShape() + " into an array of shape "
                    + target.getShape());
        }
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDArray cast = values.toType(target.getDataType(), true)) {
            target.set(ALL, cast);
        } finally {
            JniUtils.setGradMode(recording);
        }
    }

    /** {@code target[...] = values} for values in row-major order, as many as the target holds. */
    public static void overwrite(NDArray target, float[] values) {
        if (values.length != target.size()) {
            throw new IllegalArgumentException("cannot copy " + values.length + " values into an array of shape "
                    + target.getShape());
        }
        try (NDArray source = target.getManager().create(values, target.getShape())) {
            overwrite(target, source);
        }
    }
}
