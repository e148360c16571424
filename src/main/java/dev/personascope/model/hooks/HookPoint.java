package dev.personascope.model.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the places in the forward pass where activations can be read or written, as in
 * TransformerLens. All residual-stream points carry [batch, tokens, d_model].
 */
public final class HookPoint {
    public static final String EMBED = "hook_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";
    /** Per-block points, in the order they run inside a block. */
    public static final List<String> BLOCK_POINTS = List.of(
            "hook_resid_pre", "hook_attn_out", "hook_resid_mid", "hook_mlp_out", "hook_resid_post");
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(\\w+)");

    private HookPoint() {
    }

    /** The names of the first layers' points, made once: the forward pass asks for them at every layer of every step. */
    private static final String[][] NAMED = new String[BLOCK_POINTS.size()][128];

    static {
        for (int p = 0; p < NAMED.length; p++) {
            for (int layer = 0; layer < NAMED[p].length; layer++) {
                NAMED[p][layer] = "blocks." + layer + "." + BLOCK_POINTS.get(p);
            }
        }
    }

    private static String name(int point, int layer) {
        return layer >= 0 && layer < NAMED[point].length ? NAMED[point][layer] : "blocks." + layer + "." + BLOCK_POINTS.get(point);
    }

    public static String residPre(int layer) {
        return name(0, layer);
    }

    public static String residMid(int layer) {
        return name(2, layer);
    }

    public static String residPost(int layer) {
        return name(4, layer);
    }

    public static String attnOut(int layer) {
        return name(1, layer);
    }

    public static String mlpOut(int layer) {
        return name(3, layer);
    }

    /** Every hook point of a model with this many layers, in forward order. */
    public static List<String> all(int numLayers) {
        List<String> out = new ArrayList<>();
        out.add(EMBED);
        for (int l = 0; l < numLayers; l++) {
            for (String p : BLOCK_POINTS) {
                out.add("blocks." + l + "." + p);
            }
        }
        out.add(LN_FINAL);
        return out;
    }

    /** Throws a clear error unless {@code name} is a hook point of a model with {@code numLayers} layers. */
    public static void validate(String name, int numLayers) {
        if (name.equals(EMBED) || name.equals(LN_FINAL)) {
            return;
        }
        Matcher m = BLOCK.matcher(name);
        if (m.matches() && BLOCK_POINTS.contains(m.group(2))) {
            int layer = Integer.parseInt(m.group(1));
            if (layer < numLayers) {
                return;
            }
            throw new IllegalArgumentException("hook point '" + name + "': layer " + layer
                    + " does not exist (the model has layers 0.." + (numLayers - 1) + ")");
        }
        throw new IllegalArgumentException("unknown hook point '" + name + "' (expected hook_embed, "
                + "blocks.L." + String.join("|", BLOCK_POINTS) + " or " + LN_FINAL + ")");
    }

    /** The layer of a block hook point, or -1 for hook_embed and ln_final. */
    public static int layerOf(String name) {
        Matcher m = BLOCK.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
