package dev.personascope.persona;

import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswerSampler;
import dev.personascope.eval.Evaluation;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.SampledAnswers;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A steering sweep: for each coefficient, generate answers to a question set with the direction
 * added (or ablated), judge them, and score them; the same for random unit directions at the same
 * norm, run in the same sweep as the control. Each (direction, coefficient) is one {@link #evaluate evaluation};
 * {@link SteerPieces} runs them as pieces.
 */
public final class SteeringSweep {
    /** The sweep's knobs, recorded with its results. */
    public record Settings(List<Double> coefficients, boolean ablate, int randomDirections, int samples, double temperature,
                           int maxTokens, long seed, int batchSize, TokenScope scope) {
    }

    /** One steered evaluation. */
    public record Point(String direction, boolean random, double coefficient, boolean ablated, Scoring.Rates rates,
                        List<Answer> answers) {
    }

    private SteeringSweep() {
    }

    /** The directions the sweep steers with: the target first, then the random controls at its hook. */
    public static List<Direction> directions(Direction target, Settings s) {
        List<Direction> ds = new ArrayList<>();
        ds.add(target);
        for (int i = 0; i < s.randomDirections(); i++) {
            ds.add(Direction.random(target.hook(), target.dModel(), randomSeed(s, i)));
        }
        return ds;
    }

    /** The seed of the i-th random control (from 0): fixed by the sweep's seed and i. */
    public static long randomSeed(Settings s, int i) {
        return s.seed() * 1000 + i + 1;
    }

    /** How many evaluations a sweep makes: one per direction and coefficient (or one per direction, ablated). */
    public static int evaluations(Settings s) {
        return (1 + s.randomDirections()) * (s.ablate() ? 1 : s.coefficients().size());
    }

    /**
     * Where each evaluation's sampled answers are saved before they are judged ({@link SampledAnswers}, one file
     * per direction and coefficient), and found again by a rerun with the same settings, so that a judge failure
     * costs no sampling. {@code model} and {@code adapter} are the paths the model was loaded from.
     */
    public record SampleStore(Path dir, String model, String adapter) {
    }

    /** The name of an evaluation's files: "target" or the random direction, then "-ablated" or the coefficient. */
    public static String fileName(String direction, boolean random, boolean ablated, double coefficient) {
        return (random ? direction.replace(':', '-') : "target")
                + (ablated ? "-ablated" : String.format(Locale.ROOT, "-%+.3f", coefficient));
    }

    /**
     * One steered evaluation: samples answers with {@code st} (or takes those {@code samples} saved for the same
     * settings), judges and scores them. Its seed is the sweep's, whatever the direction and coefficient, so the
     * evaluation is the same in any order and on any machine.
     *
     * @param samples where sampled answers are kept for a rerun, or null
     */
    public static Point evaluate(LanguageModel lm, Direction d, boolean random, Steering st, List<Question> questions,
                                 Judge judge, Scoring scoring, Settings s, SampleStore samples) {
        Path file = null;
        SampledAnswers.Key key = null;
        List<Answer> answers = null;
        if (samples != null) {
            file = samples.dir().resolve(fileName(d.name(), random, st.ablate(), st.coefficient()) + ".jsonl");
            key = SampledAnswers.key(new Evaluation.Config(samples.model(), samples.adapter(), null, judge.name(),
                    s.samples(), s.temperature(), s.seed(), s.maxTokens(), s.batchSize(), scoring.alignedBelow(),
                    scoring.coherentAbove(), st.describe()), questions, s.maxTokens());
            answers = SampledAnswers.load(file, key);
        }
        if (answers == null || answers.size() != AnswerSampler.count(questions, s.samples())) {
            answers = new AnswerSampler(lm, st::hooks, s.batchSize())
                    .sample(questions, s.samples(), s.temperature(), s.maxTokens(), s.seed());
            if (file != null) {
                SampledAnswers.save(file, key, answers);
            }
        }
        List<Answer> judged;
        try {
            judged = Evaluation.judgeAll(judge, questions, answers, null);
        } catch (RuntimeException e) {
            throw file == null ? e : new IllegalStateException(e.getMessage() + " (the answers sampled so far are"
                    + " saved in " + samples.dir() + "; a rerun judges them without sampling again)", e);
        }
        return new Point(d.name(), random, st.coefficient(), st.ablate(), scoring.rates(judged), judged);
    }
}
