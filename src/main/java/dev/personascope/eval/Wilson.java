package dev.personascope.eval;

/** Wilson score interval for a binomial proportion (Wilson 1927), 95% by default. */
public record Wilson(int successes, int trials, double low, double high) {
    public static final double Z95 = 1.959963984540054;

    public static Wilson of(int successes, int trials) {
        if (trials == 0) {
            return new Wilson(0, 0, 0, 1);
        }
        double n = trials;
        double p = successes / n;
        double z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Wilson(successes, trials, Math.max(0, centre - half), Math.min(1, centre + half));
    }

    public double fraction() {
        return trials == 0 ? Double.NaN : (double) successes / trials;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.1f%% [%.1f, %.1f] (%d/%d)", 100 * fraction(), 100 * low, 100 * high,
                successes, trials);
    }
}
