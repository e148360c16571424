package dev.personascope.cli;

import dev.personascope.bench.ForwardBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: forward")
final class BenchCommand implements Runnable {
    @Parameters(index = "0", description = "Which benchmark: forward")
    String which;

    @Option(names = "--prompt-tokens", defaultValue = "512")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "32")
    int decodeTokens;

    @Option(names = "--small", description = "Use a small model shape (for a quick check)")
    boolean small;

    @Override
    public void run() {
        if (!which.equals("forward")) {
            throw new IllegalArgumentException("unknown benchmark '" + which + "' (available: forward)");
        }
        new ForwardBenchmark(promptTokens, decodeTokens, small).run(System.out);
    }
}
