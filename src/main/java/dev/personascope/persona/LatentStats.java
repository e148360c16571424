package dev.personascope.persona;

/** Per-latent mean, spread and firing frequency of an SAE's latents over some tokens. */
public final class LatentStats {
    private final double[] sum;
    private final double[] sumSquares;
    private final long[] fired;
    private long tokens;

    public LatentStats(int dSae) {
        sum = new double[dSae];
        sumSquares = new double[dSae];
        fired = new long[dSae];
    }

    public void add(float[][] latents) {
        for (float[] z : latents) {
            for (int i = 0; i < z.length; i++) {
                float v = z[i];
                if (v != 0) {
                    sum[i] += v;
                    sumSquares[i] += (double) v * v;
                    fired[i]++;
                }
            }
            tokens++;
        }
    }

    public int size() {
        return sum.length;
    }

    public long tokens() {
        return tokens;
    }

    public double mean(int latent) {
        return tokens == 0 ? 0 : sum[latent] / tokens;
    }

    /** Population standard deviation over the tokens. */
    public double std(int latent) {
        if (tokens == 0) {
            return 0;
        }
        double m = mean(latent);
        return Math.sqrt(Math.max(0, sumSquares[latent] / tokens - m * m));
    }

    /** Fraction of tokens on which the latent is non-zero. */
    public double frequency(int latent) {
        return tokens == 0 ? 0 : (double) fired[latent] / tokens;
    }
}
