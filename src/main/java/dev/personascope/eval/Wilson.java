package dev.personascope.eval;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Wilson score interval for a binomial proportion (Wilson 1927), 95%. Written to JSON one way,
 * {@code {"successes": k, "trials": n, "rate": k/n, "low": l, "high": h}} with rate, low and high null when
 * n is 0, and printed one way ({@link #toString()}). Read back from successes and trials (the interval is
 * recomputed); result files of older versions, with "count"/"of" or "fraction", read too.
 */
public record Wilson(int successes, int trials, double low, double high) {
    public static final double Z95 = 1.959963984540054;

    public static Wilson of(int successes, int trials) {
        if (successes < 0 || trials < 0 || successes > trials) {
            throw new IllegalArgumentException("a Wilson interval needs 0 <= successes <= trials, got " + successes + " of "
                    + trials);
        }
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

    /** successes / trials; NaN without trials. */
    public double fraction() {
        return trials == 0 ? Double.NaN : (double) successes / trials;
    }

    /** The JSON form. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Stored(int successes, int trials, Double rate, Double low, Double high) {
    }

    @JsonValue
    Stored stored() {
        return trials == 0 ? new Stored(0, 0, null, null, null) : new Stored(successes, trials, fraction(), low, high);
    }

    /** The counts as stored, under their names of every version; the interval is recomputed from them. */
    @JsonIgnoreProperties(ignoreUnknown = true) // rate, low and high are recomputed
    record Counts(@JsonAlias("count") Integer successes, @JsonAlias("of") Integer trials) {
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Wilson read(Counts c) {
        if (c.successes() == null || c.trials() == null) {
            throw new IllegalArgumentException("a Wilson interval needs 'successes' and 'trials'");
        }
        return of(c.successes(), c.trials());
    }

    /** "12.3% [10.1, 14.9] (41/333)"; "- (0/0)" without trials. */
    @Override
    public String toString() {
        if (trials == 0) {
            return "- (0/0)";
        }
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f] (%d/%d)", 100 * fraction(), 100 * low, 100 * high,
                successes, trials);
    }
}
