package dev.personascope.report;

import java.util.Locale;

/**
 * A numeric axis range with "nice" tick marks (steps of 1, 2 or 5 times a power of ten) and tick
 * labels with as many decimals as the step needs.
 */
record Axis(double lo, double hi, double step) {

    /** Range rounded outward to whole ticks, for value axes. */
    static Axis nice(double min, double max, int targetTicks) {
        double[] r = widen(min, max);
        double step = step((r[1] - r[0]) / Math.max(1, targetTicks));
        return new Axis(Math.floor(r[0] / step) * step, Math.ceil(r[1] / step) * step, step);
    }

    /** Range kept as given, with nice ticks inside it, for x axes. */
    static Axis within(double min, double max, int targetTicks) {
        double[] r = widen(min, max);
        return new Axis(r[0], r[1], step((r[1] - r[0]) / Math.max(1, targetTicks)));
    }

    double[] ticks() {
        double first = Math.ceil(lo / step - 1e-9) * step;
        int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    /** Where v falls between lo (0) and hi (1). */
    double fraction(double v) {
        return (v - lo) / (hi - lo);
    }

    String label(double v) {
        int decimals = (int) Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) - 1e-9)));
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }

    private static double[] widen(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            return new double[] {0, 1};
        }
        if (max - min < 1e-12) {
            double pad = Math.abs(min) > 1e-12 ? Math.abs(min) * 0.5 : 1;
            return new double[] {min - pad, max + pad};
        }
        return new double[] {min, max};
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least rough, so ticks never outnumber the target. */
    private static double step(double rough) {
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double norm = rough / mag;
        return (norm <= 1 + 1e-9 ? 1 : norm <= 2 + 1e-9 ? 2 : norm <= 5 + 1e-9 ? 5 : 10) * mag;
    }
}
