package dev.personascope.eval;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.util.FileTrees;
import dev.personascope.work.PieceFolders;
import dev.personascope.work.Pieces;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An evaluation's sampling as pieces: piece k is the k-th batch of answers ({@link AnswerSampler#batch}), the same
 * answers the single-process run samples in that batch, with the same seeds. Each piece is written to
 * {@code OUT/pieces-HASH/samples-NNNNN.jsonl} (HASH: of the settings the answers depend on, so pieces sampled with
 * other settings are never reused); {@link #merge} joins them into samples.jsonl, byte for byte the single-process
 * run's, and removes the pieces.
 */
public final class SamplePieces implements Pieces {
    private final Supplier<LanguageModel> model;
    private final Function<LanguageModel, Setup> setup;
    private final List<Question> questions;
    private final Evaluation.Config config;
    private final Path out;
    private final SampledAnswers.Key asked;
    private final int total;
    private LanguageModel lm;
    private AnswerSampler sampler;
    private List<AnswerSampler.Prompt> prompts;
    private SampledAnswers.Key key;

    /** How the loaded model generates: its hooks (steering) and their description for samples.jsonl (null: none). */
    public record Setup(Supplier<Hooks> hooks, String steering) {
    }

    /**
     * @param model loads the model, on the first piece run here (the driver of a cluster run loads none)
     * @param setup the hooks to generate with (steering), made once for the loaded model
     * @param config the run's settings; its steering is what was asked (the options), known without the model
     */
    public SamplePieces(Supplier<LanguageModel> model, Function<LanguageModel, Setup> setup,
                        List<Question> questions, Evaluation.Config config, Path out) {
        if (questions.isEmpty()) {
            throw new IllegalArgumentException("no questions to ask");
        }
        this.model = model;
        this.setup = setup;
        this.questions = questions;
        this.config = config;
        this.out = out;
        this.asked = SampledAnswers.key(config, questions, 0);
        this.total = AnswerSampler.count(questions, config.samples());
    }

    /**
     * The answers samples.jsonl already holds for these settings (a finished run), else null. With steering the
     * saved description (made from the loaded model) differs from the options asked, so steered answers are sampled
     * again.
     */
    public SampledAnswers.Saved sampledBefore() {
        SampledAnswers.Saved s = SampledAnswers.loadAsAsked(out.resolve(SampledAnswers.FILE), asked);
        return s != null && s.answers().size() == total ? s : null;
    }

    @Override
    public int count() {
        return (total + config.batchSize() - 1) / config.batchSize();
    }

    @Override
    public String describe(int piece) {
        int start = piece * config.batchSize();
        return String.format(Locale.ROOT, "answers %d-%d", start, Math.min(total, start + config.batchSize()) - 1);
    }

    @Override
    public void run(int piece) {
        if (lm == null) {
            lm = model.get();
            int maxTokens = Evaluation.fitToContext(lm, questions, config.maxTokens());
            Setup s = setup.apply(lm);
            key = asked.loaded(maxTokens, s.steering());
            sampler = new AnswerSampler(lm, s.hooks(), config.batchSize());
            prompts = sampler.prompts(questions, config.samples());
        }
        List<Answer> answers = sampler.batch(prompts, piece, config.temperature(), key.maxTokens(), config.seed());
        SampledAnswers.save(output(piece), key, answers);
    }

    /**
     * Joins the pieces into samples.jsonl (all of them, all sampled with the same settings) and deletes them;
     * returns them, in sampling order, with the settings they were sampled with.
     */
    public SampledAnswers.Saved merge() {
        List<Answer> answers = new ArrayList<>(total);
        SampledAnswers.Key key = null;
        for (int i = 0; i < count(); i++) {
            SampledAnswers.Saved s = SampledAnswers.read(output(i));
            if (key != null && !key.equals(s.key())) {
                throw new IllegalStateException(output(i) + ": sampled with other settings than " + output(0));
            }
            key = s.key();
            answers.addAll(s.answers());
        }
        if (answers.size() != total) {
            throw new IllegalStateException(dir() + ": the pieces hold " + answers.size() + " answers, not " + total);
        }
        SampledAnswers.save(out.resolve(SampledAnswers.FILE), key, answers);
        FileTrees.delete(dir());
        return new SampledAnswers.Saved(key, answers);
    }

    @Override
    public void close() {
        if (lm != null) {
            lm.close();
            lm = null;
        }
    }

    private Path dir() {
        return PieceFolders.of(out, dev.personascope.util.Json.line(asked));
    }

    @Override
    public Path output(int piece) {
        return dir().resolve(String.format(Locale.ROOT, "samples-%05d.jsonl", piece));
    }
}
