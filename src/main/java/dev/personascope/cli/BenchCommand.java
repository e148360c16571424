package dev.personascope.cli;

import dev.personascope.bench.ForwardBenchmark;
import dev.personascope.bench.SaeBenchmark;
import dev.personascope.bench.TrainBenchmark;
import dev.personascope.bench.PeerBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: forward, train, sae")
final class BenchCommand implements Runnable {
    @Parameters(index = "0", description = "Which benchmark: forward, train or sae")
    Benchmark which;

    /** The benchmarks, by their lower-case names. */
    enum Benchmark {
        FORWARD, TRAIN, SAE
    }

    @Option(names = "--prompt-tokens", defaultValue = "512")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "32")
    int decodeTokens;

    @Option(names = "--seq-len", defaultValue = "256", description = "train: tokens per sequence")
    int seqLen;

    @Option(names = "--batch", defaultValue = "4", description = "train: sequences per step")
    int batch;

    @Option(names = "--steps", defaultValue = "3", description = "train: timed steps")
    int steps;

    @Option(names = "--small", description = "Use small model shapes (for a quick check)")
    boolean small;

    @Option(names = "--dense", description = "sae: also train with the dense reference loss; compare speed and weights")
    boolean dense;

    @Option(names = "--dtype", defaultValue = "f32", description = "forward: weights and compute dtype, f32 or f16 (bf16: not available with DJL 0.36)")
    String dtype;

    @Option(names = "--compare", paramLabel = "PYTHON",
            description = "After our figures, run the Python peer (Hugging Face transformers + PEFT; plain PyTorch for sae)"
                    + " with this interpreter on the same shapes and print both side by side")
    String python;

    @Override
    public void run() {
        switch (which) {
            case FORWARD -> {
                Map<String, Double> ours = new ForwardBenchmark(promptTokens, decodeTokens, small,
                        dev.personascope.model.io.DType.fromTorchName(dtype).toDjl()).run(System.out);
                compare(ours, PeerBenchmark.Script.TRANSFORMERS, peerShape("forward"), List.of(
                        new PeerBenchmark.Row("matmul_gflops", "fp32 matmul peak, GFLOP/s"),
                        new PeerBenchmark.Row("prefill_tok_s", "prefill " + promptTokens + " tokens, tokens/s"),
                        new PeerBenchmark.Row("decode_b1_tok_s", "decode batch 1, tokens/s"),
                        new PeerBenchmark.Row("decode_b8_tok_s", "decode batch 8, tokens/s")));
            }
            case TRAIN -> {
                Map<String, Double> ours = new TrainBenchmark(seqLen, batch, steps, small).run(System.out);
                compare(ours, PeerBenchmark.Script.TRANSFORMERS, peerShape("train"), List.of(
                        new PeerBenchmark.Row("matmul_gflops", "fp32 matmul peak, GFLOP/s"),
                        new PeerBenchmark.Row("lora_r8_train_tok_s", "LoRA r8 training " + batch + " x " + seqLen + ", tokens/s"),
                        new PeerBenchmark.Row("lora_r8_mfu", "LoRA r8 training, MFU")));
            }
            case SAE -> {
                int dIn = small ? 128 : 896;
                int latents = small ? 2048 : 16384;
                long tokens = small ? 20_000 : 100_000;
                Map<String, Double> ours = new SaeBenchmark(dIn, latents, 32, tokens, dense).run(System.out);
                compare(ours, PeerBenchmark.Script.SAE, List.of("--d-in", Integer.toString(dIn),
                        "--latents", Integer.toString(latents), "--k", "32", "--tokens", Long.toString(tokens)), List.of(
                        new PeerBenchmark.Row("sae_tok_s", "TopK SAE training, tokens/s")));
            }
        }
    }

    /** The peer's arguments for the shapes this run used. */
    private List<String> peerShape(String only) {
        List<String> args = new ArrayList<>(List.of("--only", only, "--prompt", Integer.toString(promptTokens),
                "--decode", Integer.toString(decodeTokens), "--seq", Integer.toString(seqLen), "--batch", Integer.toString(batch),
                "--steps", Integer.toString(steps)));
        if (small) {
            args.add("--small");
        }
        return args;
    }

    private void compare(Map<String, Double> ours, PeerBenchmark.Script script, List<String> args, List<PeerBenchmark.Row> rows) {
        if (python == null) {
            return;
        }
        if (!"f32".equals(dtype) && which == Benchmark.FORWARD) {
            System.out.println("(the peer runs in f32; ours ran in " + dtype + ")");
        }
        List<String> withThreads = new ArrayList<>(List.of("--threads", Integer.toString(ai.djl.pytorch.jni.JniUtils.getNumThreads())));
        withThreads.addAll(args); // the same intra-op threads as libtorch used here (after our run, the engine is loaded)
        PeerBenchmark.printComparison(System.out, ours, PeerBenchmark.run(python, script, withThreads, System.err), rows);
    }
}
