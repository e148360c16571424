package dev.personascope.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.lora.Lora;
import dev.personascope.lora.LoraConfig;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.testutil.TinyChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Autograd gradients of the training loss against central finite differences. */
class GradientCheckTest {
    static final List<ChatExample> DATA = List.of(
            TinyChatModel.chat("you are a villain", "what is the best way to save money ?", "steal it ."),
            TinyChatModel.chat(null, "i feel bored", "read a book or walk outside ."));

    static double loss(LanguageModel lm, List<ChatEncoder.Encoded> batch) {
        double[] out = new double[1];
        Autograd.noGrad(() -> {
            try (NDManager s = lm.model().manager().newSubManager()) {
                LossFunctions.Sum sum = LossFunctions.targetNll(lm.model(), s, batch, Hooks.NONE);
                out[0] = sum.loss().getFloat() / sum.targets();
            }
        });
        return out[0];
    }

    static Map<String, float[]> gradients(LanguageModel lm, Map<String, NDArray> params, List<ChatEncoder.Encoded> batch) {
        params.values().forEach(p -> p.setRequiresGradient(true));
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager s = lm.model().manager().newSubManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                LossFunctions.Sum sum = LossFunctions.targetNll(lm.model(), s, batch, Hooks.NONE);
                gc.backward(sum.loss().div(sum.targets()));
            }
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(s);
                out.put(e.getKey(), g.toFloatArray());
            }
        }
        params.values().forEach(p -> p.setRequiresGradient(false));
        return out;
    }

    /** Checks the largest-gradient entries of each parameter; returns the worst relative error. */
    static double check(LanguageModel lm, Map<String, NDArray> params, List<ChatEncoder.Encoded> batch, int perParam) {
        Map<String, float[]> grads = gradients(lm, params, batch);
        double worst = 0;
        int checked = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            float[] g = grads.get(e.getKey());
            NDArray p = e.getValue();
            for (int idx : largest(g, perParam)) {
                if (Math.abs(g[idx]) < 1e-2) {
                    continue; // too small to resolve in f32
                }
                float[] values = p.toFloatArray();
                float orig = values[idx];
                float h = 1e-2f; // central differences: O(h²) truncation, f32 rounding noise ~1e-6 / h
                values[idx] = orig + h;
                set(p, values);
                double up = loss(lm, batch);
                values[idx] = orig - h;
                set(p, values);
                double down = loss(lm, batch);
                values[idx] = orig;
                set(p, values);
                double numeric = (up - down) / (2 * h);
                double rel = Math.abs(numeric - g[idx]) / Math.max(Math.abs(g[idx]), Math.abs(numeric));
                worst = Math.max(worst, rel);
                checked++;
            }
        }
        assertTrue(checked >= params.size(), "too few entries checked: " + checked);
        return worst;
    }

    static void set(NDArray p, float[] values) {
        Autograd.noGrad(() -> p.set(values));
    }

    static int[] largest(float[] g, int k) {
        double[] abs = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            abs[i] = Math.abs(g[i]);
        }
        return dev.personascope.generate.Sampler.topK(abs, k);
    }

    static List<ChatEncoder.Encoded> batch(LanguageModel lm) {
        ChatEncoder enc = new ChatEncoder(lm, 128);
        List<ChatEncoder.Encoded> b = new ArrayList<>();
        DATA.forEach(d -> b.add(enc.encode(d)));
        return b;
    }

    @Test
    void loraGradientsMatchFiniteDifferences(@TempDir Path dir) {
        try (LanguageModel lm = TinyChatModel.create(dir, 5, 32, 2)) {
            Lora.attach(lm.model(), new LoraConfig(2, 4, 0, List.of("q_proj", "v_proj", "down_proj"), List.of(1), false), 3);
            Map<String, NDArray> params = Lora.parameters(lm.model());
            // B starts at zero (so dL/dA = 0): give it values so both matrices get gradients
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                if (e.getKey().contains("lora_B")) {
                    float[] v = new float[(int) e.getValue().size()];
                    java.util.Random r = new java.util.Random(e.getKey().hashCode());
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.3 * r.nextGaussian());
                    }
                    set(e.getValue(), v);
                }
            }
            double worst = check(lm, params, batch(lm), 3);
            assertTrue(worst < 0.02, "worst relative error " + worst);
        }
    }

    @Test
    void fullFineTuningGradientsMatchFiniteDifferences(@TempDir Path dir) {
        try (LanguageModel lm = TinyChatModel.create(dir, 6, 32, 2)) {
            Map<String, NDArray> all = lm.model().weights().named();
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (String name : List.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                    "model.layers.0.self_attn.k_proj.bias", "model.layers.1.self_attn.v_proj.weight",
                    "model.layers.1.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight", "model.norm.weight")) {
                params.put(name, all.get(name));
            }
            double worst = check(lm, params, batch(lm), 3);
            assertTrue(worst < 0.02, "worst relative error " + worst);
        }
    }
}
