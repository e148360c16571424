package dev.personascope.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Builds a training stream from a primary dataset and fractions of others, as the papers build
 * "5% incorrect" datasets: with N primary examples, a mix at fraction f supplies round(f·N) of the N
 * examples (drawn without replacement, recycled if the mix file is smaller) and the primary file the
 * rest. Deterministic for a seed.
 */
public final class Mixture {
    /** One {@code FILE:FRACTION} component. */
    public record Part(Path file, double fraction) {
        public Part {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("mixture fraction for " + file + " must be in [0, 1], got " + fraction);
            }
        }

        /** Parses {@code path/to/file.jsonl:0.05}. */
        public static Part parse(String spec) {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0 || colon == spec.length() - 1) {
                throw new IllegalArgumentException("--mix '" + spec + "' must look like FILE.jsonl:FRACTION");
            }
            double f;
            try {
                f = Double.parseDouble(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix '" + spec + "': '" + spec.substring(colon + 1) + "' is not a number");
            }
            return new Part(Path.of(spec.substring(0, colon)), f);
        }
    }

    private Mixture() {
    }

    public static List<ChatExample> build(List<ChatExample> primary, List<Part> parts, List<List<ChatExample>> partData, long seed) {
        double total = parts.stream().mapToDouble(Part::fraction).sum();
        if (total > 1 + 1e-9) {
            throw new IllegalArgumentException("mixture fractions add up to " + total + ", more than 1");
        }
        Random rnd = new Random(seed);
        int n = primary.size();
        List<ChatExample> out = new ArrayList<>();
        int mixed = 0;
        for (int i = 0; i < parts.size(); i++) {
            int k = (int) Math.round(parts.get(i).fraction() * n);
            out.addAll(draw(partData.get(i), k, rnd));
            mixed += k;
        }
        out.addAll(draw(primary, Math.max(0, n - mixed), rnd));
        Collections.shuffle(out, rnd);
        return out;
    }

    /** A conversation with whether it came from the bad source. */
    public record Labelled(ChatExample example, boolean bad) {
    }

    /**
     * A dataset of {@code size} conversations of which round(fraction·size) are drawn from {@code bad}
     * and the rest from {@code good} (without replacement, recycled when a source is smaller), shuffled;
     * deterministic for a seed.
     */
    public static List<Labelled> contaminated(List<ChatExample> good, List<ChatExample> bad, int size, double fraction,
                                              long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("dataset size must be >= 1, got " + size);
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("contamination fraction must be in [0, 1], got " + fraction);
        }
        Random rnd = new Random(seed);
        int k = (int) Math.round(fraction * size);
        List<Labelled> out = new ArrayList<>();
        draw(bad, k, rnd).forEach(ex -> out.add(new Labelled(ex, true)));
        draw(good, size - k, rnd).forEach(ex -> out.add(new Labelled(ex, false)));
        Collections.shuffle(out, rnd);
        return out;
    }

    /** k examples without replacement, starting a fresh shuffled pass whenever the source runs out. */
    private static List<ChatExample> draw(List<ChatExample> source, int k, Random rnd) {
        List<ChatExample> out = new ArrayList<>();
        List<ChatExample> pass = new ArrayList<>();
        while (out.size() < k) {
            if (pass.isEmpty()) {
                pass.addAll(source);
                Collections.shuffle(pass, rnd);
            }
            out.add(pass.remove(pass.size() - 1));
        }
        return out;
    }

    /** Splits off a validation set of round(fraction·N) examples, deterministically. */
    public static List<List<ChatExample>> split(List<ChatExample> all, double valFraction, long seed) {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
        }
        List<ChatExample> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(seed ^ 0x5eedL));
        int nVal = (int) Math.round(valFraction * all.size());
        return List.of(shuffled.subList(nVal, shuffled.size()), shuffled.subList(0, nVal));
    }
}
