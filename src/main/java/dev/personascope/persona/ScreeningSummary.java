package dev.personascope.persona;

import java.util.Arrays;
import java.util.List;

/**
 * The dataset-level verdict of a screening.
 *
 * <p>Rule: a sample is an outlier when its score exceeds the threshold, which is the user's
 * ({@code --threshold}, in projection units) or by default the robust cut-off
 * median + 3 · 1.4826 · MAD of the scores (three standard deviations for normal scores, and not
 * inflated by the outliers themselves). The dataset is flagged when at least {@code flagFraction} of its
 * samples are outliers. With the default cut-off a clean, roughly normal dataset has about 0.1% of
 * outliers; a dataset whose contaminated part moves the model far along the direction has about the
 * contaminated fraction. The mean score is reported beside it: it is the quantity Chen et al. found to
 * predict the trait shift after fine-tuning, but it has no scale-free threshold.
 *
 * @param auroc AUROC of the score for bad against good samples, when labels are known (else null)
 */
public record ScreeningSummary(int n, double meanScore, double medianScore, double threshold, String thresholdRule,
                               int above, double fractionAbove, double flagFraction, boolean flagged, Integer bad,
                               Double auroc) {
    public static final double MAD_MULTIPLE = 3;
    /** MAD · 1.4826 estimates the standard deviation of normal scores. */
    static final double MAD_TO_SD = 1.4826;

    /**
     * @param threshold    the user's threshold, or null for the robust default
     * @param flagFraction the outlier fraction at which the dataset is flagged
     * @param bad          per input index, whether the sample is known to be bad; null when unlabelled
     */
    public static ScreeningSummary of(List<Screening.Sample> samples, Double threshold, double flagFraction, boolean[] bad) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("nothing to screen");
        }
        double[] s = samples.stream().mapToDouble(Screening.Sample::score).toArray();
        double mean = Arrays.stream(s).average().orElseThrow();
        double median = median(s);
        double mad = median(Arrays.stream(s).map(x -> Math.abs(x - median)).toArray());
        double cut = threshold != null ? threshold : median + MAD_MULTIPLE * MAD_TO_SD * mad;
        String rule = threshold != null ? "user threshold"
                : "median + " + MAD_MULTIPLE + " x 1.4826 x MAD of the scores";
        int above = (int) Arrays.stream(s).filter(x -> x > cut).count();
        double frac = (double) above / s.length;
        Integer nBad = null;
        Double auroc = null;
        if (bad != null) {
            double[] pos = samples.stream().filter(x -> bad[x.index()]).mapToDouble(Screening.Sample::score).toArray();
            double[] neg = samples.stream().filter(x -> !bad[x.index()]).mapToDouble(Screening.Sample::score).toArray();
            nBad = pos.length;
            auroc = pos.length > 0 && neg.length > 0 ? Auroc.of(pos, neg) : null;
        }
        return new ScreeningSummary(s.length, mean, median, cut, rule, above, frac, flagFraction, frac >= flagFraction,
                nBad, auroc);
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        int m = c.length / 2;
        return c.length % 2 == 1 ? c[m] : (c[m - 1] + c[m]) / 2;
    }
}
