package dev.personascope.bench;

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
 * SAE training throughput: a TopK SAE with d_in 896 (Qwen2.5-0.5B's width), 16384 latents and k 32
 * trained on synthetic activations, reported as tokens/s and as FLOP/s against the fp32 matmul peak
 * measured in the same run. FLOPs per token: the encoder (2·d_in·d_sae) forward and twice that
 * backward, and the decoder as a dense matmul likewise (the implementation multiplies the scattered
 * sparse codes densely), so 12·d_in·d_sae.
 */
public final class SaeBenchmark {
    private final int dIn;
    private final int latents;
    private final int k;
    private final long tokens;

    public SaeBenchmark(int dIn, int latents, int k, long tokens) {
        this.dIn = dIn;
        this.latents = latents;
        this.k = k;
        this.tokens = tokens;
    }

    /** Runs the benchmark, printing as it goes; returns {@code sae_tok_s} (the peer script's key). */
    public Map<String, Double> run(PrintStream out) {
        double peak = ForwardBenchmark.matmulGflops();
        out.printf(Locale.ROOT, "fp32 matmul peak: %.1f GFLOP/s (2048x2048x2048, best of 5)%n", peak);
        SaeConfig c = new SaeConfig();
        c.dIn = dIn;
        c.dSae = latents;
        c.k = k;
        SyntheticDictionary data = new SyntheticDictionary(4 * dIn, dIn, 16, 1);
        try (NDManager root = LanguageModel.newManager(); TopKSae sae = new TopKSae(c, root)) {
            SaeTrainer.Settings warm = new SaeTrainer.Settings();
            warm.tokens = 2L * warm.batch;
            SaeTrainer w = new SaeTrainer(sae, warm);
            w.initialise(data.next(4096));
            w.train(data, false);
            SaeTrainer.Settings s = new SaeTrainer.Settings();
            s.tokens = tokens;
            long t0 = System.nanoTime();
            SaeTrainer.Result r = new SaeTrainer(sae, s).train(data, false);
            double secs = (System.nanoTime() - t0) / 1e9;
            double flops = 12.0 * dIn * latents * r.steps() * s.batch;
            out.printf(Locale.ROOT, "TopK SAE d_in %d, %d latents, k %d, batch %d: %d steps, %.0f tokens/s, %.1f GFLOP/s = %.0f%% of peak%n",
                    dIn, latents, k, s.batch, r.steps(), r.steps() * (double) s.batch / secs, flops / secs / 1e9,
                    100 * flops / secs / 1e9 / peak);
            return Map.of("sae_tok_s", r.steps() * (double) s.batch / secs);
        }
    }
}
