package dev.personascope.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.LanguageModel;
import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeTrainer;
import dev.personascope.sae.SyntheticDictionary;
import dev.personascope.sae.TopKSae;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * SAE training throughput: a TopK SAE with d_in 896 (Qwen2.5-0.5B's width), 16384 latents and k 32 trained on
 * synthetic activations, reported as tokens/s and as FLOP/s against the fp32 matmul peak measured in the same run.
 * FLOPs per token count what runs: the sparse trainer's dense encoder forward (2·d_in·d_sae, to choose the top k) and
 * the k gathered encoder and decoder rows forward and backward (12·k·d_in); the dense reference (with {@code dense})
 * multiplies the scattered codes densely, 12·d_in·d_sae. With {@code dense}, both train from the same start on the
 * same data, and the largest difference of their weights is printed.
 */
public final class SaeBenchmark {
    private final int dIn;
    private final int latents;
    private final int k;
    private final long tokens;
    private final boolean dense;

    public SaeBenchmark(int dIn, int latents, int k, long tokens, boolean dense) {
        this.dIn = dIn;
        this.latents = latents;
        this.k = k;
        this.tokens = tokens;
        this.dense = dense;
    }

    /** Runs the benchmark, printing as it goes; returns {@code sae_tok_s} (the trainer as it runs by default: sparse). */
    public Map<String, Double> run(PrintStream out) {
        double peak = ForwardBenchmark.matmulGflops();
        out.printf(Locale.ROOT, "fp32 matmul peak: %.1f GFLOP/s (2048x2048x2048, best of 5)%n", peak);
        SaeConfig c = new SaeConfig();
        c.dIn = dIn;
        c.dSae = latents;
        c.k = k;
        try (NDManager root = LanguageModel.newManager(); TopKSae sparseSae = new TopKSae(c, root)) {
            double sparseRate = trainTimed(sparseSae, true, peak, out);
            if (dense) {
                try (TopKSae denseSae = new TopKSae(c, root)) {
                    double denseRate = trainTimed(denseSae, false, peak, out);
                    out.printf(Locale.ROOT, "sparse / dense: %.2fx tokens/s; weights, max |sparse - dense| / max |dense|:", sparseRate / denseRate);
                    for (String name : new String[] {"W_enc", "b_enc", "W_dec", "b_dec"}) {
                        out.printf(Locale.ROOT, " %s %.1e", name, relativeDifference(sparseSae.parameters().get(name),
                                denseSae.parameters().get(name)));
                    }
                    out.println();
                }
            }
            return Map.of("sae_tok_s", sparseRate);
        }
    }

    /** Initialises, warms up (2 steps) and trains {@code sae} for the benchmark's tokens; prints and returns tokens/s. */
    private double trainTimed(TopKSae sae, boolean sparse, double peak, PrintStream out) {
        SyntheticDictionary data = new SyntheticDictionary(4 * dIn, dIn, 16, 1);
        SaeTrainer.Settings warm = new SaeTrainer.Settings();
        warm.tokens = 2L * warm.batch;
        warm.sparseTopK = sparse;
        SaeTrainer w = new SaeTrainer(sae, warm);
        w.initialise(data.next(4096));
        w.train(data, false);
        SaeTrainer.Settings s = new SaeTrainer.Settings();
        s.tokens = tokens;
        s.sparseTopK = sparse;
        long t0 = System.nanoTime();
        SaeTrainer.Result r = new SaeTrainer(sae, s).train(data, false);
        double secs = (System.nanoTime() - t0) / 1e9;
        double flopsPerToken = sparse ? 2.0 * dIn * latents + 12.0 * k * dIn : 12.0 * dIn * latents;
        double flops = flopsPerToken * r.steps() * s.batch;
        double rate = r.steps() * (double) s.batch / secs;
        out.printf(Locale.ROOT, "TopK SAE d_in %d, %d latents, k %d, batch %d, %s: %d steps, %.0f tokens/s, %.1f GFLOP/s = %.0f%% of peak%n",
                dIn, latents, k, s.batch, sparse ? "sparse decoder" : "dense reference", r.steps(), rate, flops / secs / 1e9,
                100 * flops / secs / 1e9 / peak);
        return rate;
    }

    /** max |a − b| / max |b|, computed in a scope of its own. */
    private static double relativeDifference(NDArray a, NDArray b) {
        try (NDManager m = a.getManager().newSubManager()) {
            NDArray a2 = a.duplicate();
            NDArray b2 = b.duplicate();
            a2.attach(m);
            b2.attach(m);
            float diff = a2.sub(b2).abs().max().getFloat();
            return diff / Math.max(b2.abs().max().getFloat(), Float.MIN_NORMAL);
        }
    }
}
