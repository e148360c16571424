package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

/** Small helpers for direction vectors used by hooks. */
public final class Directions {
    private Directions() {
    }

    /** a · b, accumulated in double (a projection when b is a unit vector). */
    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static float[] normalized(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.sqrt(n);
        if (n == 0 || Double.isNaN(n)) {
            throw new IllegalArgumentException("direction has zero or undefined norm");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    static void checkWidth(NDArray x, int width, HookContext ctx) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        if (d != width) {
            throw new IllegalArgumentException(ctx.hookName() + ": vector has " + width
                    + " dimensions, the activation " + d);
        }
    }
}
