package dev.personascope.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LinearLayer;
import dev.personascope.model.ModelWeights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Attaches, lists, merges and removes the LoRA / DoRA adapters of a model. */
public final class Lora {
    private Lora() {
    }

    /** PEFT's name of one of a module's adapter tensors, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight. */
    public static String peftName(String module, String tensor) {
        return "base_model.model." + module + "." + tensor;
    }

    /** PEFT's name of a module's A or B matrix. */
    public static String peftName(String module, char which) {
        return peftName(module, "lora_" + which + ".weight");
    }

    /**
     * Adds fresh adapters as PEFT initialises them: A ~ U(−1/√in, 1/√in) (Kaiming-uniform with a = √5),
     * B = 0, and for DoRA m = ‖W‖_row, so the model is unchanged until trained. Deterministic for a seed.
     */
    public static void attach(DecoderModel model, LoraConfig cfg, long seed) {
        if (!adapters(model).isEmpty()) {
            throw new IllegalStateException("the model already has LoRA adapters");
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        NDManager m = model.manager();
        for (LinearLayer lin : covered(model, cfg)) {
            int r = cfg.rankOf(lin.name());
            float bound = (float) (1 / Math.sqrt(lin.inFeatures()));
            NDArray a = m.randomUniform(-bound, bound, new Shape(r, lin.inFeatures()), DataType.FLOAT32);
            NDArray b = m.zeros(new Shape(lin.outFeatures(), r), DataType.FLOAT32);
            NDArray mag = null;
            if (cfg.dora()) {
                try (NDManager tmp = m.newSubManager()) {
                    NDArray w = lin.weight().toType(DataType.FLOAT32, true);
                    w.attach(tmp);
                    NDArray norm = w.square().sum(new int[] {1}).sqrt();
                    norm.attach(tmp);
                    mag = norm.duplicate();
                    mag.attach(m);
                }
            }
            lin.setAdapter(new LoraAdapter(a, b, mag, cfg.scaleOf(lin.name()), (float) cfg.dropout()));
        }
    }

    /** Adds adapters with given tensors, by PEFT name (A, B and, for DoRA, the magnitude vector). */
    public static void attach(DecoderModel model, LoraConfig cfg, Map<String, float[]> tensors, String where) {
        NDManager m = model.manager();
        for (LinearLayer lin : covered(model, cfg)) {
            int r = cfg.rankOf(lin.name());
            float[] a = tensors.get(peftName(lin.name(), 'A'));
            float[] b = tensors.get(peftName(lin.name(), 'B'));
            if (a == null || b == null) {
                throw new IllegalArgumentException(where + ": missing " + peftName(lin.name(), a == null ? 'A' : 'B'));
            }
            if (a.length != r * lin.inFeatures() || b.length != lin.outFeatures() * r) {
                throw new IllegalArgumentException(where + ": adapter of " + lin.name() + " has " + a.length + " + " + b.length
                        + " values, rank " + r + " needs A [" + r + ", " + lin.inFeatures() + "] and B ["
                        + lin.outFeatures() + ", " + r + "]");
            }
            NDArray mag = null;
            if (cfg.dora()) {
                float[] mv = tensors.get(peftName(lin.name(), "lora_magnitude_vector"));
                if (mv == null || mv.length != lin.outFeatures()) {
                    throw new IllegalArgumentException(where + ": DoRA adapter of " + lin.name() + " needs "
                            + peftName(lin.name(), "lora_magnitude_vector") + " [" + lin.outFeatures() + "]");
                }
                mag = m.create(mv, new Shape(lin.outFeatures()));
            }
            lin.setAdapter(new LoraAdapter(m.create(a, new Shape(r, lin.inFeatures())),
                    m.create(b, new Shape(lin.outFeatures(), r)), mag, cfg.scaleOf(lin.name()), (float) cfg.dropout()));
        }
    }

    /**
     * The projections a config adapts, in layer order. Every named target must match some projection of
     * the model, and the layers must exist: otherwise a clear error naming them.
     */
    public static List<LinearLayer> covered(DecoderModel model, LoraConfig cfg) {
        int n = model.config().numLayers;
        if (cfg.layers() != null) {
            for (int l : cfg.layers()) {
                if (l < 0 || l >= n) {
                    throw new IllegalArgumentException("LoRA layer " + l + " does not exist (the model has layers 0.." + (n - 1) + ")");
                }
            }
        }
        List<LinearLayer> out = new ArrayList<>();
        Set<String> matched = new LinkedHashSet<>();
        Set<String> available = new LinkedHashSet<>();
        ModelWeights.Block[] blocks = model.weights().blocks;
        for (int l = 0; l < blocks.length; l++) {
            for (LinearLayer lin : blocks[l].linears()) {
                available.add(lin.moduleName());
                for (String t : cfg.targets()) {
                    if (t.equals(LoraConfig.ALL_LINEAR) || LoraConfig.matchesName(lin.name(), t)) {
                        matched.add(t);
                    }
                }
                if (cfg.targetRegex() != null && cfg.targetMatches(lin.name())) {
                    matched.add(cfg.targetRegex());
                }
                if (cfg.covers(l, lin.name())) {
                    out.add(lin);
                }
            }
        }
        List<String> missing = new ArrayList<>(cfg.targets());
        if (cfg.targetRegex() != null) {
            missing.add(cfg.targetRegex());
        }
        missing.removeAll(matched);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("LoRA target modules " + missing + " match no projection of this "
                    + model.config().family + " model (its projections: " + String.join(", ", available) + ", or all-linear)");
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the LoRA config covers no projection of this model");
        }
        return out;
    }

    /** Every adapter by module name, in layer order. */
    public static Map<String, LoraAdapter> adapters(DecoderModel model) {
        Map<String, LoraAdapter> out = new LinkedHashMap<>();
        for (LinearLayer lin : model.weights().linears()) {
            if (lin.adapter() instanceof LoraAdapter a) {
                out.put(lin.name(), a);
            }
        }
        return out;
    }

    /** The trainable tensors (A, B, DoRA magnitudes) by PEFT name. */
    public static Map<String, NDArray> parameters(DecoderModel model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        adapters(model).forEach((name, ad) -> ad.tensors().forEach((t, a) -> out.put(peftName(name, t), a)));
        return out;
    }

    public static void setTraining(DecoderModel model, boolean training) {
        adapters(model).values().forEach(a -> a.setTraining(training));
    }

    /** Folds every adapter into its weight (LoRA: W ← W + s·BA; DoRA: W ← m ⊙ V / ‖V‖_row, V = W + s·BA) and removes it. */
    public static void merge(DecoderModel model) {
        for (LinearLayer lin : model.weights().linears()) {
            if (lin.adapter() != null) {
                lin.adapter().mergeInto(lin.weight());
                lin.adapter().close();
                lin.setAdapter(null);
            }
        }
    }

    /** Removes every adapter without merging. */
    public static void detach(DecoderModel model) {
        for (LinearLayer lin : model.weights().linears()) {
            if (lin.adapter() != null) {
                lin.adapter().close();
                lin.setAdapter(null);
            }
        }
    }
}
