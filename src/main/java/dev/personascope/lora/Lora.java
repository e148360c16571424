package dev.personascope.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.LinearLayer;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.ModelWeights;

import java.util.LinkedHashMap;
import java.util.Map;

/** Attaches, lists, merges and removes the LoRA adapters of a model. */
public final class Lora {
    private Lora() {
    }

    /** PEFT's name of a module's A or B matrix, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight. */
    public static String peftName(String module, char which) {
        return "base_model.model." + module + ".lora_" + which + ".weight";
    }

    /**
     * Adds fresh adapters as PEFT initialises them: A ~ U(−1/√in, 1/√in) (Kaiming-uniform with a = √5),
     * B = 0, so the model is unchanged until trained. Deterministic for a seed.
     */
    public static void attach(DecoderModel model, LoraConfig cfg, long seed) {
        if (!adapters(model).isEmpty()) {
            throw new IllegalStateException("the model already has LoRA adapters");
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        NDManager m = model.manager();
        forEachCovered(model, cfg, (layer, lin) -> {
            float bound = (float) (1 / Math.sqrt(lin.inFeatures()));
            NDArray a = m.randomUniform(-bound, bound, new Shape(cfg.rank(), lin.inFeatures()), DataType.FLOAT32);
            NDArray b = m.zeros(new Shape(lin.outFeatures(), cfg.rank()), DataType.FLOAT32);
            lin.setLora(new LoraAdapter(a, b, cfg.scale(), (float) cfg.dropout()));
        });
    }

    /** Adds adapters with given A and B matrices (by PEFT name). */
    public static void attach(DecoderModel model, LoraConfig cfg, Map<String, float[]> tensors, String where) {
        NDManager m = model.manager();
        forEachCovered(model, cfg, (layer, lin) -> {
            float[] a = tensors.get(peftName(lin.name(), 'A'));
            float[] b = tensors.get(peftName(lin.name(), 'B'));
            if (a == null || b == null) {
                throw new IllegalArgumentException(where + ": missing " + peftName(lin.name(), a == null ? 'A' : 'B'));
            }
            if (a.length != cfg.rank() * lin.inFeatures() || b.length != lin.outFeatures() * cfg.rank()) {
                throw new IllegalArgumentException(where + ": adapter of " + lin.name() + " has " + a.length + " + " + b.length
                        + " values, rank " + cfg.rank() + " needs A [" + cfg.rank() + ", " + lin.inFeatures() + "] and B ["
                        + lin.outFeatures() + ", " + cfg.rank() + "]");
            }
            lin.setLora(new LoraAdapter(m.create(a, new Shape(cfg.rank(), lin.inFeatures())),
                    m.create(b, new Shape(lin.outFeatures(), cfg.rank())), cfg.scale(), (float) cfg.dropout()));
        });
    }

    private interface Visitor {
        void visit(int layer, LinearLayer linear);
    }

    private static void forEachCovered(DecoderModel model, LoraConfig cfg, Visitor v) {
        if (cfg.layers() != null) {
            for (int l : cfg.layers()) {
                if (l < 0 || l >= model.config().numLayers) {
                    throw new IllegalArgumentException("LoRA layer " + l + " does not exist (the model has layers 0.."
                            + (model.config().numLayers - 1) + ")");
                }
            }
        }
        ModelWeights.Block[] blocks = model.weights().blocks;
        for (int l = 0; l < blocks.length; l++) {
            for (LinearLayer lin : blocks[l].linears()) {
                if (cfg.covers(l, moduleName(lin))) {
                    v.visit(l, lin);
                }
            }
        }
    }

    /** q_proj, ..., down_proj: the last part of the layer's name. */
    public static String moduleName(LinearLayer lin) {
        return lin.name().substring(lin.name().lastIndexOf('.') + 1);
    }

    /** Every adapter by module name, in layer order. */
    public static Map<String, LoraAdapter> adapters(DecoderModel model) {
        Map<String, LoraAdapter> out = new LinkedHashMap<>();
        for (ModelWeights.Block b : model.weights().blocks) {
            for (LinearLayer lin : b.linears()) {
                if (lin.lora() != null) {
                    out.put(lin.name(), lin.lora());
                }
            }
        }
        return out;
    }

    /** The trainable A and B matrices by PEFT name. */
    public static Map<String, NDArray> parameters(DecoderModel model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        adapters(model).forEach((name, ad) -> {
            out.put(peftName(name, 'A'), ad.a());
            out.put(peftName(name, 'B'), ad.b());
        });
        return out;
    }

    public static void setTraining(DecoderModel model, boolean training) {
        adapters(model).values().forEach(a -> a.setTraining(training));
    }

    /** Folds every adapter into its weight, W ← W + scale · B A, and removes the adapters. */
    public static void merge(DecoderModel model) {
        for (ModelWeights.Block b : model.weights().blocks) {
            for (LinearLayer lin : b.linears()) {
                LoraAdapter ad = lin.lora();
                if (ad != null) {
                    try (NDManager tmp = model.manager().newSubManager()) {
                        NDArray delta = ad.b().matMul(ad.a()).mul(ad.scale());
                        delta.attach(tmp);
                        lin.weight().addi(delta);
                    }
                    lin.setLora(null);
                    ad.close();
                }
            }
        }
    }

    /** Removes every adapter without merging. */
    public static void detach(DecoderModel model) {
        for (ModelWeights.Block b : model.weights().blocks) {
            for (LinearLayer lin : b.linears()) {
                if (lin.lora() != null) {
                    lin.lora().close();
                    lin.setLora(null);
                }
            }
        }
    }
}
