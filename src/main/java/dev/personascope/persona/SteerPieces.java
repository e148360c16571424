package dev.personascope.persona;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.util.FileTrees;
import dev.personascope.util.Json;
import dev.personascope.work.PieceFolders;
import dev.personascope.work.Pieces;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A steering sweep as pieces: piece k is one direction (the target, then each random control) at one coefficient
 * (or ablated), {@link SteeringSweep#evaluate evaluated} with the sweep's seed, so its answers do not depend on
 * which pieces ran before or where. Each writes its judged answers, with the hook and the residual norm its model
 * measured, to {@code OUT/pieces-HASH/NAME.json} (HASH: of the settings the pieces depend on); {@link #merge} reads
 * them back in sweep order and {@link #removePieces} deletes them once the sweep's files are written.
 */
public final class SteerPieces implements Pieces {
    /** The loaded model's target direction and the residual norm at its hook (coefficients are in its units). */
    public record Target(Direction direction, double scale) {
    }

    /** A piece's output. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Output(String direction, boolean random, boolean ablated, double coefficient, String hook,
                         double residualNorm, List<AnswersFile.Row> answers) {
    }

    /** The sweep's evaluations in order, with the hook and residual norm they were steered at. */
    public record Merged(String hook, double residualNorm, List<SteeringSweep.Point> points) {
    }

    private record Piece(int direction, String name, double coefficient) {
    }

    private final Supplier<LanguageModel> model;
    private final Function<LanguageModel, Target> target;
    private final List<Question> questions;
    private final Judge judge;
    private final Scoring scoring;
    private final SteeringSweep.Settings s;
    private final SteeringSweep.SampleStore store;
    private final Path dir;
    private final List<Piece> pieces = new ArrayList<>();
    private LanguageModel lm;
    private List<Direction> directions;
    private double scale;

    /**
     * @param model    loads the model, on the first piece run here (the driver of a cluster run loads none)
     * @param target   the target direction and the residual norm at its hook, for the loaded model
     * @param store    where sampled answers are saved before judging
     * @param out      the sweep's output folder
     * @param settings everything else the pieces' outputs depend on (model files, questions, direction, judge), as text
     */
    public SteerPieces(Supplier<LanguageModel> model, Function<LanguageModel, Target> target, List<Question> questions,
                       Judge judge, Scoring scoring, SteeringSweep.Settings s, SteeringSweep.SampleStore store, Path out,
                       String settings) {
        this.model = model;
        this.target = target;
        this.questions = questions;
        this.judge = judge;
        this.scoring = scoring;
        this.s = s;
        this.store = store;
        this.dir = PieceFolders.of(out, Json.line(List.of(settings, Json.line(s))));
        for (int d = 0; d <= s.randomDirections(); d++) {
            String name = d == 0 ? "target" : "random:" + SteeringSweep.randomSeed(s, d - 1);
            for (double c : s.ablate() ? List.of(0.0) : s.coefficients()) {
                pieces.add(new Piece(d, name, c));
            }
        }
    }

    @Override
    public int count() {
        return pieces.size();
    }

    @Override
    public String describe(int piece) {
        Piece p = pieces.get(piece);
        return SteeringSweep.fileName(p.name(), p.direction() > 0, s.ablate(), p.coefficient());
    }

    @Override
    public void run(int piece) {
        if (lm == null) {
            lm = model.get();
            Target t = target.apply(lm);
            directions = SteeringSweep.directions(t.direction(), s);
            scale = t.scale();
        }
        Piece p = pieces.get(piece);
        Direction d = directions.get(p.direction());
        Steering st = s.ablate() ? Steering.ablation(d) : Steering.add(d, p.coefficient(), scale, s.scope());
        SteeringSweep.Point point = SteeringSweep.evaluate(lm, d, p.direction() > 0, st, questions, judge, scoring, s, store);
        Map<String, Question> byId = new LinkedHashMap<>();
        questions.forEach(q -> byId.put(q.id(), q));
        List<AnswersFile.Row> rows = point.answers().stream().map(a -> AnswersFile.Row.of(a, byId.get(a.questionId()), scoring))
                .toList();
        Json.write(output(piece), new Output(point.direction(), point.random(), point.ablated(), point.coefficient(), d.hook(),
                scale, rows));
    }

    /** Every piece's evaluation, in sweep order, scored again from its saved answers. */
    public Merged merge() {
        List<SteeringSweep.Point> points = new ArrayList<>();
        String hook = null;
        double norm = 0;
        for (int i = 0; i < count(); i++) {
            Output o = Json.read(output(i), Output.class);
            if (i == 0) {
                hook = o.hook();
                norm = o.residualNorm();
            } else if (!o.hook().equals(hook)) {
                throw new IllegalStateException(output(i) + ": steered at " + o.hook() + ", not at " + hook + " as " + output(0));
            }
            List<Answer> answers = o.answers().stream().map(AnswersFile.Row::toAnswer).toList();
            points.add(new SteeringSweep.Point(o.direction(), o.random(), o.coefficient(), o.ablated(),
                    scoring.rates(answers), answers));
        }
        return new Merged(hook, norm, points);
    }

    /** Deletes the pieces' outputs (after the sweep's own files are written). */
    public void removePieces() {
        FileTrees.delete(dir);
    }

    @Override
    public void close() {
        if (lm != null) {
            lm.close();
            lm = null;
        }
    }

    @Override
    public Path output(int piece) {
        return dir.resolve(describe(piece) + ".json");
    }
}
