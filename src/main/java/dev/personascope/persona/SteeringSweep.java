package dev.personascope.persona;

import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswerSampler;
import dev.personascope.eval.Evaluation;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;

import java.util.ArrayList;
import java.util.List;
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
     * @param scale    the residual norm at the hook (coefficients are in its units)
     * @param progress called after each evaluation
     */
    public static List<Point> run(LanguageModel lm, Direction target, double scale, List<Question> questions, Judge judge,
                                  Scoring scoring, Settings s, Consumer<Point> progress) {
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
                List<Answer> answers = new AnswerSampler(lm, st::hooks, s.batchSize())
                        .sample(questions, s.samples(), s.temperature(), s.maxTokens(), s.seed());
                List<Answer> judged = Evaluation.judgeAll(judge, questions, answers, null);
                Point p = new Point(d.name(), random, st.coefficient(), st.ablate(), scoring.rates(judged), judged);
                out.add(p);
                progress.accept(p);
            }
        }
        return out;
    }
}
