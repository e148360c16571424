package dev.personascope.persona;

/**
 * Per-latent statistics of the paired difference {@code d = z_tuned − z_base} of an SAE latent on the same token of
 * the same text read by two models: its mean and standard deviation. The mean over the standard deviation is the
 * standardized mean difference of paired samples (Cohen's d_z): large for a latent that moves a little on many tokens
 * (a shift of the model's state), small for one that moves a lot on a few (a word the fine-tune made likelier).
 */
public final class PairedDifferences {
    private final double[] sum;
    private final double[] sumSquares;
    private long tokens;

    public PairedDifferences(int dSae) {
        sum = new double[dSae];
        sumSquares = new double[dSae];
    }

    /** Adds the latents of the same tokens under the base and the tuned model. */
    public void add(float[][] base, float[][] tuned) {
        if (base.length != tuned.length) {
            throw new IllegalArgumentException(base.length + " base and " + tuned.length + " tuned tokens");
        }
        for (int t = 0; t < base.length; t++) {
            for (int i = 0; i < sum.length; i++) {
                double d = (double) tuned[t][i] - base[t][i];
                if (d != 0) {
                    sum[i] += d;
                    sumSquares[i] += d * d;
                }
            }
            tokens++;
        }
    }

    public int size() {
        return sum.length;
    }

    public double mean(int latent) {
        return tokens == 0 ? 0 : sum[latent] / tokens;
    }

    /** Population standard deviation of the difference over the tokens. */
    public double std(int latent) {
        if (tokens == 0) {
            return 0;
        }
        double m = mean(latent);
        return Math.sqrt(Math.max(0, sumSquares[latent] / tokens - m * m));
    }
}
