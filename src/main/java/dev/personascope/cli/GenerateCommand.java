package dev.personascope.cli;

import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from one or more prompts (batched).")
final class GenerateCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, description = "Prompt text; repeat for a batch")
    List<String> prompts;

    @Option(names = "--chat", description = "Wrap each prompt as a user turn with the model's chat template")
    boolean chat;

    @Option(names = "--system", description = "System message (with --chat)")
    String system;

    @Option(names = "--max-tokens", defaultValue = "64")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default)")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--stop", description = "Stop string; repeatable")
    List<String> stop = new ArrayList<>();

    @Override
    public void run() {
        Path path = modelOptions.modelPath();
        try (LanguageModel lm = modelOptions.load()) {
            List<int[]> encoded = new ArrayList<>();
            for (String p : prompts) {
                if (chat) {
                    List<ChatMessage> msgs = new ArrayList<>();
                    if (system != null) {
                        msgs.add(new ChatMessage("system", system));
                    }
                    msgs.add(new ChatMessage("user", p));
                    encoded.add(lm.encodeChat(msgs));
                } else {
                    encoded.add(lm.tokenizer().encode(p, true));
                }
            }
            SamplingParams params = new SamplingParams(maxTokens, temperature, topP, seed, stop, 0);
            long t0 = System.nanoTime();
            List<Generation> gens = new Generator(lm).generate(encoded, params, Hooks.NONE);
            double secs = (System.nanoTime() - t0) / 1e9;
            int tokens = 0;
            for (int i = 0; i < gens.size(); i++) {
                Generation g = gens.get(i);
                tokens += g.tokenIds().length;
                if (gens.size() > 1) {
                    System.out.println("--- [" + i + "] " + prompts.get(i));
                }
                System.out.println(chat ? g.text() : prompts.get(i) + g.text());
            }
            System.err.printf(Locale.ROOT, "%d tokens in %.2f s (%.1f tokens/s)%n", tokens, secs, tokens / secs);
        }
    }
}
