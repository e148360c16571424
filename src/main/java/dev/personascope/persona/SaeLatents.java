package dev.personascope.persona;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.personascope.sae.Sae;

/** Encodes activations with an SAE on the host side: [tokens][d_model] in, [tokens][d_sae] out, in chunks. */
public final class SaeLatents {
    public static final int CHUNK = 2048;

    private SaeLatents() {
    }

    /** The latent activations of each row of {@code x}. */
    public static float[][] encode(Sae sae, float[][] x) {
        int dIn = sae.config().dIn;
        int dSae = sae.config().dSae;
        float[][] out = new float[x.length][];
        for (int start = 0; start < x.length; start += CHUNK) {
            int n = Math.min(CHUNK, x.length - start);
            float[] flat = new float[n * dIn];
            for (int i = 0; i < n; i++) {
                if (x[start + i].length != dIn) {
                    throw new IllegalArgumentException("activation has " + x[start + i].length + " dimensions, the SAE " + dIn);
                }
                System.arraycopy(x[start + i], 0, flat, i * dIn, dIn);
            }
            float[] z;
            try (NDManager m = sae.manager().newSubManager()) {
                NDArray in = m.create(flat, new Shape(n, dIn));
                z = sae.encode(in).toFloatArray();
            }
            for (int i = 0; i < n; i++) {
                out[start + i] = new float[dSae];
                System.arraycopy(z, i * dSae, out[start + i], 0, dSae);
            }
        }
        return out;
    }

    /** The cosine between each latent's decoder row and a direction in the SAE's input space (0 for a zero direction). */
    public static double[] decoderCosines(Sae sae, float[] direction) {
        if (direction.length != sae.config().dIn) {
            throw new IllegalArgumentException("direction has " + direction.length + " dimensions, the SAE " + sae.config().dIn);
        }
        float[] cos;
        try (NDManager m = sae.manager().newSubManager()) {
            NDArray v = m.create(direction);
            NDArray rows = sae.wDec();
            NDArray dots = rows.matMul(v.reshape(-1, 1)).reshape(-1);
            NDArray norms = rows.norm(new int[] {1}).mul(v.norm()).maximum(1e-12f);
            cos = dots.div(norms).toFloatArray();
        }
        double[] out = new double[cos.length];
        for (int i = 0; i < cos.length; i++) {
            out[i] = cos[i];
        }
        return out;
    }
}
