package dev.personascope.sae;

import java.util.Random;

/**
 * Activations made from a known sparse dictionary: {@code atoms} random unit directions in
 * {@code dIn} dimensions, each sample the sum of {@code active} distinct atoms with magnitudes in
 * [0.5, 1.5]. An SAE trained on it should recover the atoms as decoder rows.
 */
public final class SyntheticDictionary implements ActivationSource {
    private final int dIn;
    private final int active;
    private final float[][] atoms;
    private final Random random;

    public SyntheticDictionary(int atoms, int dIn, int active, long seed) {
        this.dIn = dIn;
        this.active = active;
        this.random = new Random(seed);
        this.atoms = new float[atoms][dIn];
        for (float[] a : this.atoms) {
            double n = 0;
            for (int d = 0; d < dIn; d++) {
                a[d] = (float) random.nextGaussian();
                n += a[d] * a[d];
            }
            for (int d = 0; d < dIn; d++) {
                a[d] /= (float) Math.sqrt(n);
            }
        }
    }

    public float[][] atoms() {
        return atoms;
    }

    @Override
    public int dIn() {
        return dIn;
    }

    @Override
    public float[] next(int n) {
        float[] out = new float[n * dIn];
        int[] chosen = new int[active];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < active; j++) {
                int a;
                boolean repeat;
                do {
                    a = random.nextInt(atoms.length);
                    repeat = false;
                    for (int q = 0; q < j; q++) {
                        repeat |= chosen[q] == a;
                    }
                } while (repeat);
                chosen[j] = a;
                float mag = 0.5f + random.nextFloat();
                for (int d = 0; d < dIn; d++) {
                    out[i * dIn + d] += mag * atoms[a][d];
                }
            }
        }
        return out;
    }
}
