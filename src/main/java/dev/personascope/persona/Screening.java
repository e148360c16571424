package dev.personascope.persona;

import dev.personascope.data.ChatExample;
import dev.personascope.data.DataFormatException;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Directions;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.data.ChatEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Data screening by projection difference (Chen et al. 2025, "Persona vectors", §6): for each
 * training sample, how much further along the persona direction its assistant answer puts the model
 * than the model's own answer to the same prompt.
 *
 * <pre>
 * p_data  = mean over the sample's last answer tokens of  h_t · û   (teacher-forced, at the direction's hook)
 * p_model = the same for the model's generated answer to the prompt (the messages before that answer)
 * score   = p_data − p_model
 * </pre>
 * û is the direction's unit vector. The answer tokens are those ChatEncoder marks as the last
 * assistant turn (its content and the template's end-of-turn text); a sample whose answer was cut off
 * by the model's context length falls back to all its tokens.
 */
public final class Screening {
    /** One scored sample; {@code index} is its position in the input list. */
    public record Sample(int index, String origin, String answer, String modelAnswer, double pData, double pModel) {
        public double score() {
            return pData - pModel;
        }
    }

    /**
     * @param maxTokens   length of the model's own answers
     * @param temperature 0 for greedy answers; otherwise sample i is answered with seed {@code seed + i}
     * @param batchSize   samples generated and run together
     */
    public record Settings(int maxTokens, double temperature, long seed, int batchSize) {
        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
        }
    }

    private Screening() {
    }

    /** Checks that a sample ends with an assistant answer after a prompt; the message names its origin. */
    public static void check(ChatExample ex) {
        List<ChatMessage> m = ex.messages();
        if (m.isEmpty() || !m.get(m.size() - 1).role().equals("assistant")) {
            throw new DataFormatException(ex.origin() + ": the last message must be the assistant answer to screen");
        }
        if (m.size() < 2) {
            throw new DataFormatException(ex.origin() + ": no prompt before the assistant answer");
        }
    }

    /** Scores every sample, in input order; {@code progress} gets the count done after each batch. */
    public static List<Sample> score(LanguageModel lm, Direction d, List<ChatExample> data, Settings s, IntConsumer progress) {
        data.forEach(Screening::check);
        float[] unit = d.unit();
        Generator gen = new Generator(lm);
        List<Sample> out = new ArrayList<>();
        for (int start = 0; start < data.size(); start += s.batchSize()) {
            List<ChatExample> batch = data.subList(start, Math.min(data.size(), start + s.batchSize()));
            List<int[]> prompts = new ArrayList<>();
            for (ChatExample ex : batch) {
                prompts.add(lm.encodeChat(prompt(ex)));
            }
            // row b samples with seed + start + b, so a sample's answer does not depend on the batching
            SamplingParams params = new SamplingParams(s.maxTokens(), s.temperature(), 1.0, s.seed() + start, List.of(), 0);
            List<Generation> gens = gen.generate(prompts, params, Hooks.NONE);
            List<ChatExample> own = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                List<ChatMessage> m = new ArrayList<>(prompt(batch.get(i)));
                m.add(new ChatMessage("assistant", gens.get(i).text().trim()));
                own.add(new ChatExample(m, batch.get(i).origin() + " (model answer)"));
            }
            double[] pData = projections(lm, d.hook(), unit, batch);
            double[] pModel = projections(lm, d.hook(), unit, own);
            for (int i = 0; i < batch.size(); i++) {
                ChatExample ex = batch.get(i);
                out.add(new Sample(start + i, ex.origin(), last(ex).content(), last(own.get(i)).content(), pData[i], pModel[i]));
            }
            progress.accept(out.size());
        }
        return out;
    }

    /** Highest score first (ties by input order). */
    public static List<Sample> ranked(List<Sample> samples) {
        return samples.stream().sorted(Comparator.comparingDouble(Sample::score).reversed()
                .thenComparingInt(Sample::index)).toList();
    }

    static List<ChatMessage> prompt(ChatExample ex) {
        return ex.messages().subList(0, ex.messages().size() - 1);
    }

    private static ChatMessage last(ChatExample ex) {
        return ex.messages().get(ex.messages().size() - 1);
    }

    /** Each conversation's mean projection onto {@code unit} over its last answer's tokens. */
    private static double[] projections(LanguageModel lm, String hook, float[] unit, List<ChatExample> convs) {
        List<ChatEncoder.Encoded> enc = new ChatEncoder(lm, lm.config().maxPositions).encodeAll(convs);
        List<TokenActivations.Document> docs = TokenActivations.run(lm, enc, List.of(hook));
        double[] out = new double[docs.size()];
        for (int i = 0; i < out.length; i++) {
            float[][] acts = docs.get(i).at(hook);
            boolean[] last = lastRun(docs.get(i).response());
            double sum = 0;
            int n = 0;
            for (int t = 0; t < acts.length; t++) {
                if (last == null || last[t]) {
                    sum += Directions.dot(acts[t], unit);
                    n++;
                }
            }
            out[i] = sum / n;
        }
        return out;
    }

    /** The last contiguous run of response tokens (the final assistant turn), or null when there is none. */
    static boolean[] lastRun(boolean[] response) {
        int end = response.length;
        while (end > 0 && !response[end - 1]) {
            end--;
        }
        if (end == 0) {
            return null;
        }
        int begin = end;
        while (begin > 0 && response[begin - 1]) {
            begin--;
        }
        boolean[] out = new boolean[response.length];
        for (int t = begin; t < end; t++) {
            out[t] = true;
        }
        return out;
    }
}
