package dev.personascope.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.KvCache;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.RandomModels;
import dev.personascope.model.TokenBatch;
import dev.personascope.generate.Sampler;
import dev.personascope.model.hooks.Hooks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;

/**
 * Forward-pass throughput on a random model with the shape of Qwen2.5-0.5B: prefill tokens/s for
 * one long prompt, decode tokens/s at batch 1 and 8, against the fp32 matmul peak measured in the
 * same run. Model FLOPs count 2 per multiply-add of every projection, the attention score and
 * value products, and the output head for the positions whose logits are computed.
 */
public final class ForwardBenchmark {
    private final int promptTokens;
    private final int decodeTokens;
    private final boolean small;
    private final DataType dtype;

    public ForwardBenchmark(int promptTokens, int decodeTokens, boolean small) {
        this(promptTokens, decodeTokens, small, DataType.FLOAT32);
    }

    /** With the weights held and computed in {@code dtype} (f32, bf16 or f16). */
    public ForwardBenchmark(int promptTokens, int decodeTokens, boolean small, DataType dtype) {
        this.promptTokens = promptTokens;
        this.decodeTokens = decodeTokens;
        this.small = small;
        this.dtype = dtype;
    }

    /**
     * Runs the benchmark, printing as it goes; returns the figures under the peer script's JSON keys
     * ({@code matmul_gflops, memory_gb_s, prefill_tok_s, decode_b1_tok_s, decode_b8_tok_s}).
     */
    public Map<String, Double> run(PrintStream out) {
        Map<String, Double> figures = new LinkedHashMap<>();
        ModelConfig c = small ? RandomModels.qwen2(4096, 256, 4, 4, 2, 704) : RandomModels.qwen25Half();
        double peak = matmulGflops();
        out.printf(Locale.ROOT, "fp32 matmul peak: %.1f GFLOP/s (2048x2048x2048, best of 5)%n", peak);
        double bandwidth = memoryGbPerSecond();
        out.printf(Locale.ROOT, "memory read bandwidth: %.1f GB/s (sum of a 1 GiB f32 array, best of 5)%n", bandwidth);
        figures.put("matmul_gflops", peak);
        figures.put("memory_gb_s", bandwidth);
        out.printf(Locale.ROOT, "building random model: hidden %d, %d layers, %d heads, %d KV heads, MLP %d, vocab %d (%,d parameters)%n",
                c.hiddenSize, c.numLayers, c.numHeads, c.numKvHeads, c.intermediateSize, c.vocabSize, c.parameterCount());
        long rssBefore = residentBytes();
        try (LanguageModel lm = RandomModels.create(c, 1, 0.02f, dtype)) {
            DecoderModel model = lm.model();
            long weightBytes = 0;
            for (NDArray a : model.weights().named().values()) {
                weightBytes += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
            System.gc();
            out.printf(Locale.ROOT, "weights in %s: %.0f MB; resident memory of the process: %.0f MB (%+.0f MB for the model)%n",
                    dtype, weightBytes / 1e6, residentBytes() / 1e6, (residentBytes() - rssBefore) / 1e6);
            Random rnd = new Random(7);
            if (dtype != DataType.FLOAT32) {
                logitError(out, c, model, randomIds(new Random(11), c.vocabSize, 32));
            }
            int[] prompt = randomIds(rnd, c.vocabSize, promptTokens);
            prefill(model, List.of(prompt)); // warm-up
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                prefill(model, List.of(prompt));
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            double prefillFlops = linearFlopsPerToken(c) * promptTokens + attentionFlops(c, 0, promptTokens)
                    + 2.0 * c.vocabSize * c.hiddenSize;
            out.printf(Locale.ROOT, "prefill (%d-token prompt, batch 1): %.1f tokens/s, %.1f GFLOP/s = %.0f%% of peak%n",
                    promptTokens, promptTokens / best, prefillFlops / best / 1e9, 100 * prefillFlops / best / 1e9 / peak);
            figures.put("prefill_tok_s", promptTokens / best);
            for (int batch : new int[] {1, 8}) {
                List<int[]> prompts = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    prompts.add(randomIds(rnd, c.vocabSize, 32));
                }
                double secs = decode(model, prompts, decodeTokens);
                double tokens = (double) batch * decodeTokens;
                double flops = batch * (decodeTokens * (linearFlopsPerToken(c) + 2.0 * c.vocabSize * c.hiddenSize)
                        + attentionFlops(c, 32, decodeTokens));
                // every weight is read once per step whatever the batch (the embedding table only for the head)
                double bytesPerSecond = weightBytes * (double) decodeTokens / secs / 1e9;
                out.printf(Locale.ROOT, "decode (batch %d, %d steps after a 32-token prompt): %.1f tokens/s, %.1f GFLOP/s = %.0f%% of peak;"
                                + " weights read at %.1f GB/s = %.0f%% of the measured bandwidth%n",
                        batch, decodeTokens, tokens / secs, flops / secs / 1e9, 100 * flops / secs / 1e9 / peak,
                        bytesPerSecond, 100 * bytesPerSecond / bandwidth);
                figures.put("decode_b" + batch + "_tok_s", tokens / secs);
            }
        }
        return figures;
    }

    /** Read bandwidth of main memory in GB/s: the sum of a 1 GiB f32 array, far larger than any cache, best of 5. */
    static double memoryGbPerSecond() {
        long n = 1L << 28;
        try (NDManager m = LanguageModel.newManager()) {
            NDArray a = m.ones(new Shape(n));
            return 4.0 * n / bestOfFiveSeconds(m, a, x -> x.sum().getFloat()) / 1e9;
        }
    }

    /**
     * The fastest of five timed runs of {@code work} on {@code input} after one untimed warm-up; the work's results
     * (made in the input's manager, temporarily a fresh sub-manager of {@code m}) are freed after each run.
     */
    private static double bestOfFiveSeconds(NDManager m, NDArray input, java.util.function.Consumer<NDArray> work) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            try (NDManager s = m.newSubManager()) {
                input.tempAttach(s);
                long t0 = System.nanoTime();
                work.accept(input);
                double t = (System.nanoTime() - t0) / 1e9;
                if (i > 0) {
                    best = Math.min(best, t);
                }
            }
        }
        return best;
    }

    /**
     * The logits of the same random model held in f32 against this lower-precision one, at every position of
     * one prompt: max and mean |difference|, and how often the top token agrees.
     */
    private static void logitError(PrintStream out, ModelConfig c, DecoderModel low, int[] prompt) {
        float[] reference;
        try (LanguageModel f32 = RandomModels.create(c, 1, 0.02f, DataType.FLOAT32);
             NDManager scope = f32.model().manager().newSubManager()) {
            reference = f32.model().forward(scope, TokenBatch.leftPadded(List.of(prompt), 0), null, Hooks.NONE,
                    DecoderModel.Logits.ALL).toFloatArray();
        }
        float[] logits;
        try (NDManager scope = low.manager().newSubManager()) {
            logits = low.forward(scope, TokenBatch.leftPadded(List.of(prompt), 0), null, Hooks.NONE, DecoderModel.Logits.ALL)
                    .toFloatArray();
        }
        double max = 0;
        double sum = 0;
        int agree = 0;
        int v = c.vocabSize;
        for (int pos = 0; pos < prompt.length; pos++) {
            float[] a = java.util.Arrays.copyOfRange(reference, pos * v, (pos + 1) * v);
            float[] b = java.util.Arrays.copyOfRange(logits, pos * v, (pos + 1) * v);
            for (int i = 0; i < v; i++) {
                double d = Math.abs(a[i] - b[i]);
                max = Math.max(max, d);
                sum += d;
            }
            agree += Sampler.argmax(a) == Sampler.argmax(b) ? 1 : 0;
        }
        out.printf(Locale.ROOT, "logits against the same model in f32 (%d positions): max |diff| %.4f, mean |diff| %.5f,"
                + " top token agrees at %d/%d%n", prompt.length, max, sum / reference.length, agree, prompt.length);
    }

    /** VmRSS of this process (Linux), or 0 where /proc is not there. */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static int[] randomIds(Random rnd, int vocab, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        return ids;
    }

    private static void prefill(DecoderModel model, List<int[]> prompts) {
        try (NDManager scope = model.manager().newSubManager();
             KvCache cache = new KvCache(scope, model.config().numLayers, prompts.size())) {
            model.forward(scope, TokenBatch.leftPadded(prompts, 0), cache, Hooks.NONE, DecoderModel.Logits.LAST).toFloatArray();
        }
    }

    /** Seconds spent in {@code steps} single-token decoding steps (the prefill is not counted). */
    private static double decode(DecoderModel model, List<int[]> prompts, int steps) {
        int b = prompts.size();
        try (NDManager scope = model.manager().newSubManager();
             KvCache cache = new KvCache(scope, model.config().numLayers, b)) {
            try (NDManager s = scope.newSubManager()) {
                model.forward(s, TokenBatch.leftPadded(prompts, 0), cache, Hooks.NONE, DecoderModel.Logits.LAST).toFloatArray();
            }
            int[] next = new int[b];
            boolean[] active = new boolean[b];
            java.util.Arrays.fill(active, true);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                try (NDManager s = scope.newSubManager()) {
                    float[] logits = model.forward(s, TokenBatch.step(next, active, true), cache, Hooks.NONE,
                            DecoderModel.Logits.LAST).toFloatArray();
                    int v = logits.length / b;
                    for (int r = 0; r < b; r++) {
                        next[r] = Sampler.argmax(java.util.Arrays.copyOfRange(logits, r * v, (r + 1) * v));
                    }
                }
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** 2 FLOPs per weight of every projection in every layer. */
    static double linearFlopsPerToken(ModelConfig c) {
        double perLayer = (double) c.hiddenSize * c.qDim() * 2 + 2.0 * c.hiddenSize * c.kvDim() + 3.0 * c.hiddenSize * c.intermediateSize;
        return 2 * perLayer * c.numLayers;
    }

    /** QK^T and PV for queries at positions start..start+n-1, each attending to all earlier keys. */
    static double attentionFlops(ModelConfig c, int start, int n) {
        double keys = 0;
        for (int i = 0; i < n; i++) {
            keys += start + i + 1;
        }
        return 2.0 * 2.0 * c.numHeads * c.headDim * keys * c.numLayers;
    }

    /** fp32 GFLOP/s of a 2048³ matmul, best of five after a warm-up. */
    static double matmulGflops() {
        int n = 2048;
        try (NDManager m = LanguageModel.newManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            double best = bestOfFiveSeconds(m, a, x -> x.matMul(b).getFloat(0, 0)); // reading one value forces completion
            return 2.0 * n * n * n / best / 1e9;
        }
    }
}
