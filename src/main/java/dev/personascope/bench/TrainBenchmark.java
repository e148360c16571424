package dev.personascope.bench;

import ai.djl.ndarray.NDArray;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.RandomModels;
import dev.personascope.optim.AdamW;
import dev.personascope.data.ChatEncoder;
import dev.personascope.train.SftStep;
import dev.personascope.train.TrainConfig;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Training throughput: tokens/s and MFU (model FLOPs per second over the fp32 matmul peak measured
 * in the same run) for LoRA rank 8 on every projection of a Qwen2.5-0.5B-shaped model, and for full
 * fine-tuning of a smaller shape. Sequences are random tokens whose second half is the loss target,
 * as in a chat example whose answer is as long as its prompt.
 *
 * <p>Model FLOPs per token, with N the parameters of the projections: forward 2N; backward 2N for
 * the activation gradients, plus 2N for the weight gradients when the weights train (full FT:
 * 6N in all; LoRA: 4N plus 6 × the adapter parameters). The output head (V × d) counts only for
 * target positions, the only ones projected; causal attention adds 4 · T²/2 · d_q per layer forward
 * and twice that backward.
 */
public final class TrainBenchmark {
    private final int seqLen;
    private final int batch;
    private final int steps;
    private final boolean small;

    public TrainBenchmark(int seqLen, int batch, int steps, boolean small) {
        this.seqLen = seqLen;
        this.batch = batch;
        this.steps = steps;
        this.small = small;
    }

    /**
     * Runs the benchmark, printing as it goes; returns the figures under the peer script's JSON keys
     * ({@code matmul_gflops, lora_r8_train_tok_s, lora_r8_mfu}, and {@code full_train_tok_s}, which the peer has not).
     */
    public Map<String, Double> run(PrintStream out) {
        Map<String, Double> figures = new LinkedHashMap<>();
        double peak = ForwardBenchmark.matmulGflops();
        out.printf(Locale.ROOT, "fp32 matmul peak: %.1f GFLOP/s (2048x2048x2048, best of 5)%n", peak);
        figures.put("matmul_gflops", peak);
        ModelConfig loraShape = small ? RandomModels.qwen2(4096, 256, 4, 4, 2, 704) : RandomModels.qwen25Half();
        ModelConfig fullShape = small ? RandomModels.qwen2(4096, 128, 2, 4, 2, 352) : RandomModels.qwen2(32000, 512, 8, 8, 2, 1536);
        double[] lora = measure(out, "LoRA r=8, all projections", loraShape, TrainConfig.Mode.LORA, peak);
        figures.put("lora_r8_train_tok_s", lora[0]);
        figures.put("lora_r8_mfu", lora[1]);
        figures.put("full_train_tok_s", measure(out, "full fine-tuning", fullShape, TrainConfig.Mode.FULL, peak)[0]);
        return figures;
    }

    /** Tokens/s and MFU of one configuration. */
    private double[] measure(PrintStream out, String label, ModelConfig c, TrainConfig.Mode mode, double peak) {
        TrainConfig cfg = new TrainConfig();
        cfg.mode = mode;
        cfg.loraRank = 8;
        cfg.loraAlpha = 16;
        out.printf(Locale.ROOT, "%s: hidden %d, %d layers, MLP %d, vocab %d (%,d parameters), batch %d x %d tokens%n",
                label, c.hiddenSize, c.numLayers, c.intermediateSize, c.vocabSize, c.parameterCount(), batch, seqLen);
        try (LanguageModel lm = RandomModels.create(c, 1);
             AdamW opt = new AdamW(lm.model().manager(), 0.9, 0.999, 1e-8, 0.0)) {
            Map<String, NDArray> params = SftStep.trainable(lm.model(), cfg);
            long trainable = params.values().stream().mapToLong(NDArray::size).sum();
            SftStep step = new SftStep(lm.model(), params, opt, 1.0, 0);
            Random rnd = new Random(3);
            step.run(List.of(batch(rnd, c.vocabSize)), 1e-4, 1); // warm-up
            long t0 = System.nanoTime();
            long tokens = 0;
            int targets = 0;
            for (int i = 0; i < steps; i++) {
                SftStep.Stats s = step.run(List.of(batch(rnd, c.vocabSize)), 1e-4, i + 2);
                tokens += s.tokens();
                targets += s.targets();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double flops = flops(c, mode == TrainConfig.Mode.FULL, trainable, tokens, targets, steps * batch);
            out.printf(Locale.ROOT, "  %,d trainable parameters; %.1f tokens/s, %.1f GFLOP/s, MFU %.0f%%%n",
                    trainable, tokens / secs, flops / secs / 1e9, 100 * flops / secs / 1e9 / peak);
            return new double[] {tokens / secs, flops / secs / 1e9 / peak};
        }
    }

    private List<ChatEncoder.Encoded> batch(Random rnd, int vocab) {
        List<ChatEncoder.Encoded> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] ids = new int[seqLen];
            boolean[] target = new boolean[seqLen];
            for (int i = 0; i < seqLen; i++) {
                ids[i] = rnd.nextInt(vocab);
                target[i] = i >= seqLen / 2;
            }
            out.add(new ChatEncoder.Encoded(ids, target));
        }
        return out;
    }

    static double flops(ModelConfig c, boolean full, long trainable, long tokens, long targets, int sequences) {
        double n = ForwardBenchmark.linearFlopsPerToken(c) / 2; // projection parameters
        double head = (double) c.vocabSize * c.hiddenSize;
        double perToken = full ? 6 * n : 4 * n + 6.0 * trainable;
        double headFlops = targets * (full ? 6 : 4) * head;
        double attention = 3 * ForwardBenchmark.attentionFlops(c, 0, (int) (tokens / sequences)) * sequences;
        return tokens * perToken + headFlops + attention;
    }
}
