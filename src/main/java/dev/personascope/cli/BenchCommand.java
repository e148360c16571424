package dev.personascope.cli;

import dev.personascope.bench.ForwardBenchmark;
import dev.personascope.bench.SaeBenchmark;
import dev.personascope.bench.TrainBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Option(names = "--dtype", defaultValue = "f32", description = "forward: weights and compute dtype, f32, bf16 or f16")
    String dtype;

    @Override
    public void run() {
        switch (which) {
            case FORWARD -> new ForwardBenchmark(promptTokens, decodeTokens, small,
                    dev.personascope.model.io.DType.fromTorchName(dtype).toDjl()).run(System.out);
            case TRAIN -> new TrainBenchmark(seqLen, batch, steps, small).run(System.out);
            case SAE -> new SaeBenchmark(small ? 128 : 896, small ? 2048 : 16384, 32, small ? 20_000 : 100_000).run(System.out);
        }
    }
}
