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
import java.util.function.Consumer;

/**
 * A steering sweep: for each coefficient, generate answers to a question set with the direction
 * added (or ablated), judge them, and score them; the same for random unit directions at the same
 * norm, run in the same sweep as the control.
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
            ds.add(Direction.random(target.hook(), target.dModel(), s.seed() * 1000 + i + 1));
        }
        return ds;
    }

    /** How many evaluations {@link #run} makes (for progress bars). */
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

    /** As {@link #run(LanguageModel, Direction, double, List, Judge, Scoring, Settings, SampleStore, Consumer)}, saving nothing. */
    public static List<Point> run(LanguageModel lm, Direction target, double scale, List<Question> questions, Judge judge,
                                  Scoring scoring, Settings s, Consumer<Point> progress) {
        return run(lm, target, scale, questions, judge, scoring, s, null, progress);
    }

    /**
     * @param scale    the residual norm at the hook (coefficients are in its units)
     * @param samples  where sampled answers are kept for a rerun, or null
     * @param progress called after each evaluation
     */
    public static List<Point> run(LanguageModel lm, Direction target, double scale, List<Question> questions, Judge judge,
                                  Scoring scoring, Settings s, SampleStore samples, Consumer<Point> progress) {
        judge.preflight(questions);
        List<Point> out = new ArrayList<>();
        for (Direction d : directions(target, s)) {
            boolean random = d != target;
            List<Steering> runs = new ArrayList<>();
            if (s.ablate()) {
                runs.add(Steering.ablation(d));
            } else {
                s.coefficients().forEach(c -> runs.add(Steering.add(d, c, scale, s.scope())));
            }
            for (Steering st : runs) {
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
                Point p = new Point(d.name(), random, st.coefficient(), st.ablate(), scoring.rates(judged), judged);
                out.add(p);
                progress.accept(p);
            }
        }
        return out;
    }
}
