package dev.personascope.eval;

import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Samples answers to a question set: samples_per_paraphrase answers (or a fixed override) to each
 * paraphrase, in batches, seeded so that a rerun gives the same answers.
 */
public final class AnswerSampler {
    private final LanguageModel lm;
    private final Supplier<Hooks> hooks;
    private final int batchSize;

    public AnswerSampler(LanguageModel lm, Supplier<Hooks> hooks, int batchSize) {
        this.lm = lm;
        this.hooks = hooks;
        this.batchSize = batchSize;
    }

    /** @param samplesOverride answers per paraphrase, or 0 to use each question's own count */
    public List<Answer> sample(List<Question> questions, int samplesOverride, double temperature, int maxTokens, long seed) {
        return sample(questions, samplesOverride, temperature, maxTokens, seed, done -> {
        });
    }

    /** How many answers {@link #sample} returns. */
    public static int count(List<Question> questions, int samplesOverride) {
        int n = 0;
        for (Question q : questions) {
            n += q.paraphrases().size() * (samplesOverride > 0 ? samplesOverride : q.samplesPerParaphrase());
        }
        return n;
    }

    /** As {@link #sample(List, int, double, int, long)}, calling {@code progress} with the answers done after each batch. */
    public List<Answer> sample(List<Question> questions, int samplesOverride, double temperature, int maxTokens, long seed,
                               IntConsumer progress) {
        List<Prompt> prompts = prompts(questions, samplesOverride);
        List<Answer> out = new ArrayList<>();
        for (int start = 0; start < prompts.size(); start += batchSize) {
            out.addAll(batch(prompts, start / batchSize, temperature, maxTokens, seed));
            progress.accept(out.size());
        }
        return out;
    }

    /** One prompt to answer: the question, the paraphrase asked and its chat tokens. */
    public record Prompt(Question question, String paraphrase, int[] tokens) {
    }

    /** Every answer to sample, in sampling order: each paraphrase of each question, its samples in a row. */
    public List<Prompt> prompts(List<Question> questions, int samplesOverride) {
        List<Prompt> prompts = new ArrayList<>();
        for (Question q : questions) {
            int n = samplesOverride > 0 ? samplesOverride : q.samplesPerParaphrase();
            for (String p : q.paraphrases()) {
                List<ChatMessage> msgs = new ArrayList<>();
                if (q.system() != null && !q.system().isBlank()) {
                    msgs.add(new ChatMessage("system", q.system()));
                }
                msgs.add(new ChatMessage("user", p));
                int[] tokens = lm.encodeChat(msgs);
                for (int i = 0; i < n; i++) {
                    prompts.add(new Prompt(q, p, tokens));
                }
            }
        }
        return prompts;
    }

    /**
     * The answers of batch {@code index} (prompts index·batch .. index·batch + batch - 1): what {@link #sample} gives
     * for them, whichever batches run before, here or on another machine.
     */
    public List<Answer> batch(List<Prompt> prompts, int index, double temperature, int maxTokens, long seed) {
        int start = index * batchSize;
        List<Prompt> batch = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
        // row b of this batch samples with seed + start + b: each answer's seed is its index in the run
        SamplingParams params = new SamplingParams(maxTokens, temperature, 1.0, seed + start, List.of(), 0);
        List<Generation> gens = new Generator(lm).generate(batch.stream().map(Prompt::tokens).toList(), params, hooks.get());
        List<Answer> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            out.add(new Answer(batch.get(i).question().id(), batch.get(i).paraphrase(), gens.get(i).text().trim(), null));
        }
        return out;
    }

    /** How many batches {@link #sample} generates for {@code answers} answers. */
    public int batches(int answers) {
        return (answers + batchSize - 1) / batchSize;
    }
}
