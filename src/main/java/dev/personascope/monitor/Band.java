package dev.personascope.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * One direction's normal range: the mean and standard deviation of its first {@code size} values.
 * The standard deviation is floored at {@value #RELATIVE_FLOOR} x |mean| + {@value #ABSOLUTE_FLOOR}:
 * a few nearly identical baseline values (a deterministic probe pass on a barely changed model)
 * would otherwise give a tiny spread, and the first bit of noise would read as many sd.
 */
final class Band {
    static final double RELATIVE_FLOOR = 0.05;
    static final double ABSOLUTE_FLOOR = 1e-6;

    private final int size;
    private final List<Double> values = new ArrayList<>();
    private double mean = Double.NaN;
    private double std = Double.NaN;

    Band(int size) {
        this.size = size;
    }

    /** Adds a value; returns its z-score, NaN while the band is being built (this value included). */
    double add(double value) {
        if (!ready()) {
            values.add(value);
            if (ready()) {
                fix();
            }
            return Double.NaN;
        }
        return (value - mean) / std;
    }

    boolean ready() {
        return values.size() >= size;
    }

    double mean() {
        return mean;
    }

    double std() {
        return std;
    }

    private void fix() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        mean = s / values.size();
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sample = Math.sqrt(ss / (values.size() - 1)); // the unbiased estimate; size >= 2
        std = Math.max(sample, RELATIVE_FLOOR * Math.abs(mean) + ABSOLUTE_FLOOR);
    }
}
