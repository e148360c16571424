package dev.personascope.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A judge's probabilities for the integers 0–100, read from its logprobs either from one token (the papers'
 * method, {@link #ofTokens}) or digit by digit ({@link #ofDigits}), and the score they give: the
 * probability-weighted mean, normalised by the probability on valid integers, and no score when less than
 * {@value OpenAiJudge#MIN_NUMBER_MASS} of the probability is on them.
 */
public final class ScoreDistribution {
    /** In digit scoring, at most this fraction of the first token's number mass is left unexpanded. */
    public static final double DIGIT_TAIL = 0.01;

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,9}");

    private final double[] p;
    private final double unresolved;
    private final List<String> continued;

    private ScoreDistribution(double[] p, double unresolved, List<String> continued) {
        this.p = p;
        this.unresolved = unresolved;
        this.continued = Collections.unmodifiableList(continued);
    }

    /** P(n) for n = 0..100, unnormalised (as read from the judge's probabilities). */
    public double probability(int n) {
        return n < 0 || n > 100 ? 0 : p[n];
    }

    /** A copy of P(0..100). */
    public double[] probabilities() {
        return p.clone();
    }

    /** Σ P(n): the probability that the judge answers an integer 0–100. */
    public double mass() {
        double s = 0;
        for (double x : p) {
            s += x;
        }
        return s;
    }

    /**
     * Digit scoring: the probability of number prefixes too unlikely to be worth a request (at most
     * {@link #DIGIT_TAIL} of the first token's number mass). It counts toward the {@value OpenAiJudge#MIN_NUMBER_MASS}
     * threshold (those answers do begin with a number) but not toward the mean. Always 0 for {@link #ofTokens}.
     */
    public double unresolved() {
        return unresolved;
    }

    /** Digit scoring: the prefixes whose continuation was asked, in the order asked. */
    public List<String> continued() {
        return continued;
    }

    /** Σ n·P(n) / Σ P(n), or null when Σ P(n) (plus any unresolved number mass) is under 0.25. */
    public Double score() {
        double total = 0;
        double sum = 0;
        for (int n = 0; n <= 100; n++) {
            total += p[n];
            sum += n * p[n];
        }
        return total + unresolved < OpenAiJudge.MIN_NUMBER_MASS || !(total > 0) ? null : sum / total;
    }

    /** The papers' reading: tokens that Python's int() reads as n in 0..100 (spaces around, leading zeros) carry P(n). */
    public static ScoreDistribution ofTokens(Map<String, Double> topProbabilities) {
        double[] p = new double[101];
        for (Map.Entry<String, Double> e : topProbabilities.entrySet()) {
            String t = e.getKey().strip();
            if (!INTEGER.matcher(t).matches()) {
                continue;
            }
            int n = Integer.parseInt(t.startsWith("+") ? t.substring(1) : t);
            if (n >= 0 && n <= 100) {
                p[n] += e.getValue();
            }
        }
        return new ScoreDistribution(p, 0, List.of());
    }

    /** The judge's top next-token probabilities after an assistant message holding {@code prefix} (digits). */
    @FunctionalInterface
    public interface Continuation {
        Map<String, Double> next(String prefix);
    }

    /**
     * Digit-by-digit reading. {@code first} is the first token's top probabilities. A token that is digits
     * (after leading whitespace) starts a number; if something follows the digits in the same token (a space,
     * a full stop) the number ends there, otherwise the digits are a prefix. A prefix that could still grow into
     * a number 0–100 (at most two characters, value at most 10: "1" → "10" → "100") is continued: {@code next}
     * gives the top probabilities of the token after it, normalised over the tokens listed; a digit token extends
     * the prefix, any other token (end of turn, a space, punctuation) ends the number. Other prefixes ("85")
     * are complete. So P("85") = P(first "8") · P("5" | "8") · 1, P(100) = P("1") · P("0" | "1") · P("0" | "10").
     *
     * <p>At each depth the least likely prefixes are not continued as long as their total stays within
     * {@code tail} of the first token's number mass (over all depths); their probability is {@link #unresolved}.
     * Numbers that go past 100 ("105", "1000") are not valid integers and carry no P(n).
     */
    public static ScoreDistribution ofDigits(Map<String, Double> first, Continuation next, double tail) {
        double[] p = new double[101];
        List<String> asked = new ArrayList<>();
        Map<String, Double> frontier = new LinkedHashMap<>();
        double numberMass = 0;
        for (Map.Entry<String, Double> e : first.entrySet()) {
            String t = e.getKey().stripLeading();
            String digits = leadingDigits(t);
            double q = e.getValue();
            if (digits.isEmpty() || !(q > 0)) {
                continue;
            }
            numberMass += q;
            if (digits.length() == t.length()) {
                frontier.merge(digits, q, Double::sum);
            } else {
                add(p, digits, q);
            }
        }
        double budget = tail * numberMass;
        double unresolved = 0;
        while (!frontier.isEmpty()) {
            List<Map.Entry<String, Double>> open = new ArrayList<>();
            for (Map.Entry<String, Double> e : frontier.entrySet()) {
                if (canGrow(e.getKey())) {
                    open.add(e);
                } else {
                    add(p, e.getKey(), e.getValue());
                }
            }
            open.sort(Comparator.comparing((Map.Entry<String, Double> e) -> e.getValue()).reversed()
                    .thenComparing(Map.Entry::getKey));
            int keep = open.size();
            while (keep > 0 && open.get(keep - 1).getValue() <= budget) {
                budget -= open.get(keep - 1).getValue();
                unresolved += open.get(keep - 1).getValue();
                keep--;
            }
            Map<String, Double> grown = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : open.subList(0, keep)) {
                String prefix = e.getKey();
                double q = e.getValue();
                asked.add(prefix);
                Map<String, Double> after = next.next(prefix);
                double listed = 0;
                for (double c : after.values()) {
                    if (c > 0 && Double.isFinite(c)) {
                        listed += c;
                    }
                }
                if (!(listed > 0)) {
                    add(p, prefix, q); // nothing to go on: the number ends here
                    continue;
                }
                for (Map.Entry<String, Double> c : after.entrySet()) {
                    if (!(c.getValue() > 0) || !Double.isFinite(c.getValue())) {
                        continue;
                    }
                    double w = q * c.getValue() / listed;
                    String t = c.getKey();
                    String digits = leadingDigits(t);
                    if (digits.isEmpty()) {
                        add(p, prefix, w);
                    } else if (digits.length() == t.length()) {
                        grown.merge(prefix + digits, w, Double::sum);
                    } else {
                        add(p, prefix + digits, w);
                    }
                }
            }
            frontier = grown;
        }
        return new ScoreDistribution(p, unresolved, asked);
    }

    /** A prefix that another digit can keep within 0..100 (Python's int() reading: "0" → "05" is 5). */
    static boolean canGrow(String digits) {
        return digits.length() < 3 && Integer.parseInt(digits) <= 10;
    }

    private static void add(double[] p, String digits, double q) {
        String v = digits.replaceFirst("^0+(?=.)", "");
        if (v.length() <= 3) {
            int n = Integer.parseInt(v);
            if (n <= 100) {
                p[n] += q;
            }
        }
    }

    private static String leadingDigits(String t) {
        int i = 0;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        return t.substring(0, i);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int n = 0; n <= 100; n++) {
            if (p[n] > 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(n).append('=').append(p[n]);
            }
        }
        return sb.append("}").append(unresolved > 0 ? " unresolved " + unresolved : "")
                .append(continued.isEmpty() ? "" : " continued " + continued).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreDistribution d && Arrays.equals(p, d.p) && unresolved == d.unresolved
                && continued.equals(d.continued);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(p) * 31 + Double.hashCode(unresolved);
    }
}
