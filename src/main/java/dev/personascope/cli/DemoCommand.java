package dev.personascope.cli;

import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;

/** The main job. Until the persona-world pipeline exists it shows the runtime on the bundled model. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job (for now: generate with the bundled stories260K model).")
final class DemoCommand implements Runnable {
    @Override
    public void run() {
        try (LanguageModel lm = LanguageModel.load(Defaults.stories())) {
            System.out.println("PersonaScope demo: the bundled stories260K Llama (" + lm.config().parameterCount()
                    + " parameters), run on DJL/PyTorch.");
            List<String> prompts = List.of("Once upon a time", "The little dog", "Lily wanted to");
            List<int[]> ids = prompts.stream().map(p -> lm.tokenizer().encode(p, true)).toList();
            long t0 = System.nanoTime();
            List<Generation> greedy = new Generator(lm).generate(ids, SamplingParams.greedy(60), Hooks.NONE);
            List<Generation> sampled = new Generator(lm).generate(ids,
                    new SamplingParams(60, 0.8, 0.95, 42, List.of(), 0), Hooks.NONE);
            double secs = (System.nanoTime() - t0) / 1e9;
            int tokens = 0;
            for (int i = 0; i < prompts.size(); i++) {
                System.out.println();
                System.out.println("greedy:  " + prompts.get(i) + greedy.get(i).text());
                System.out.println("sampled: " + prompts.get(i) + sampled.get(i).text());
                tokens += greedy.get(i).tokenIds().length + sampled.get(i).tokenIds().length;
            }
            System.out.printf(Locale.ROOT, "%n%d tokens in %.2f s (batch of %d, KV cache)%n", tokens, secs, prompts.size());
        }
    }
}
