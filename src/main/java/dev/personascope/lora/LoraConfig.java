package dev.personascope.lora;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which projections get adapters and how, as PEFT's LoraConfig means it: rank and alpha (with
 * per-module {@code rank_pattern}/{@code alpha_pattern}), dropout, target modules (names matched as
 * suffixes, {@code all-linear}, or one regular expression matched against the whole module name),
 * excluded modules, layers, rsLoRA and DoRA.
 *
 * @param targets     module names (a module is covered when its name is a target or ends with "." + target);
 *                    {@code all-linear} covers every projection of every block; empty when {@code targetRegex} is used
 * @param layers      layer indices to adapt, null = every layer
 * @param targetRegex PEFT's string form of target_modules: covered when the whole module name matches; or null
 * @param exclude     module names (suffix match) never adapted; empty for none
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, List<Integer> layers, boolean rslora,
                         boolean dora, String targetRegex, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
                         List<String> exclude) {
    public static final String ALL_LINEAR = "all-linear";

    public LoraConfig {
        if (rank < 1 || rank > 256) {
            throw new IllegalArgumentException("LoRA rank must be in 1..256, got " + rank);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
        if ((targets == null || targets.isEmpty()) && targetRegex == null) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targets = targets == null ? List.of() : List.copyOf(targets);
        layers = layers == null ? null : List.copyOf(layers);
        rankPattern = rankPattern == null ? Map.of() : Map.copyOf(rankPattern);
        alphaPattern = alphaPattern == null ? Map.of() : Map.copyOf(alphaPattern);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        for (int r : rankPattern.values()) {
            if (r < 1 || r > 256) {
                throw new IllegalArgumentException("LoRA rank_pattern rank must be in 1..256, got " + r);
            }
        }
        for (double a : alphaPattern.values()) {
            if (!(a > 0) || Double.isInfinite(a)) {
                throw new IllegalArgumentException("LoRA alpha_pattern alpha must be a positive number, got " + a);
            }
        }
        // the regular expressions are compiled when a model is adapted: a bad one is refused here, when read
        if (targetRegex != null) {
            checkRegex(targetRegex, "target_modules");
        }
        for (String k : rankPattern.keySet()) {
            checkRegex(patternRegex(k), "rank_pattern key '" + k + "'");
        }
        for (String k : alphaPattern.keySet()) {
            checkRegex(patternRegex(k), "alpha_pattern key '" + k + "'");
        }
    }

    private static void checkRegex(String regex, String field) {
        try {
            Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("LoRA " + field + " is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** PEFT's get_pattern_key regular expression for a rank_pattern / alpha_pattern key. */
    private static String patternRegex(String key) {
        return "(.*\\.)?(" + key + ")$";
    }

    /** Plain LoRA on the named modules. */
    public LoraConfig(int rank, double alpha, double dropout, List<String> targets, List<Integer> layers, boolean rslora) {
        this(rank, alpha, dropout, targets, layers, rslora, false, null, Map.of(), Map.of(), List.of());
    }

    public LoraConfig withDora(boolean useDora) {
        return new LoraConfig(rank, alpha, dropout, targets, layers, rslora, useDora, targetRegex, rankPattern, alphaPattern, exclude);
    }

    /** The rank of one module (rank_pattern, else r). */
    public int rankOf(String module) {
        String key = patternKey(rankPattern.keySet(), module);
        return key == null ? rank : rankPattern.get(key);
    }

    /** The scale of one module's update: alpha / r, or alpha / √r with rsLoRA, with the module's own alpha and r. */
    public float scaleOf(String module) {
        String key = patternKey(alphaPattern.keySet(), module);
        double a = key == null ? alpha : alphaPattern.get(key);
        int r = rankOf(module);
        return (float) (rslora ? a / Math.sqrt(r) : a / r);
    }

    /** The scale with the config's own r and alpha. */
    public float scale() {
        return (float) (rslora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    /** PEFT's get_pattern_key: the first key k with the module name matching (.*\.)?(k)$. */
    private static String patternKey(java.util.Set<String> keys, String module) {
        for (String k : keys) {
            if (Pattern.compile(patternRegex(k)).matcher(module).matches()) {
                return k;
            }
        }
        return null;
    }

    /** Whether the projection with this full module name (e.g. model.layers.3.self_attn.q_proj) in this layer is adapted. */
    public boolean covers(int layer, String module) {
        return targetMatches(module) && !excluded(module) && (layers == null || layers.contains(layer));
    }

    /** Whether a target (ignoring layers and exclusions) names this module. */
    public boolean targetMatches(String module) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(module).matches();
        }
        for (String t : targets) {
            if (t.equals(ALL_LINEAR) || matchesName(module, t)) {
                return true;
            }
        }
        return false;
    }

    private boolean excluded(String module) {
        for (String e : exclude) {
            if (matchesName(module, e)) {
                return true;
            }
        }
        return false;
    }

    /** PEFT's list rule: the name equals the target or ends with "." + target. */
    static boolean matchesName(String module, String target) {
        return module.equals(target) || module.endsWith("." + target);
    }
}
