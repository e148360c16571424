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
        record Job(Question q, String paraphrase, int[] prompt) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Question q : questions) {
            int n = samplesOverride > 0 ? samplesOverride : q.samplesPerParaphrase();
            for (String p : q.paraphrases()) {
                List<ChatMessage> msgs = new ArrayList<>();
                if (q.system() != null && !q.system().isBlank()) {
                    msgs.add(new ChatMessage("system", q.system()));
                }
                msgs.add(new ChatMessage("user", p));
                int[] prompt = lm.encodeChat(msgs);
                for (int i = 0; i < n; i++) {
                    jobs.add(new Job(q, p, prompt));
                }
            }
        }
        List<Answer> out = new ArrayList<>();
        Generator gen = new Generator(lm);
        for (int start = 0; start < jobs.size(); start += batchSize) {
            List<Job> batch = jobs.subList(start, Math.min(jobs.size(), start + batchSize));
            List<int[]> prompts = batch.stream().map(Job::prompt).toList();
            // row b of this batch samples with seed + start + b: each answer's seed is its index in the run
            SamplingParams params = new SamplingParams(maxTokens, temperature, 1.0, seed + start, List.of(), 0);
            List<Generation> gens = gen.generate(prompts, params, hooks.get());
            for (int i = 0; i < batch.size(); i++) {
                out.add(new Answer(batch.get(i).q().id(), batch.get(i).paraphrase(), gens.get(i).text().trim(), null));
            }
            progress.accept(out.size());
        }
        return out;
    }
}
