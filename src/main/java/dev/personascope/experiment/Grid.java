package dev.personascope.experiment;

import dev.personascope.data.ChatExample;
import dev.personascope.data.Mixture;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.train.TrainConfig;
import dev.personascope.train.Trainer;
import dev.personascope.util.Json;
import dev.personascope.work.Pieces;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid of fine-tuning settings × an evaluation, as pieces: piece k is the k-th grid point (the cartesian product of
 * the spec's fractions, learning rates, LoRA ranks, step counts and seeds, in that order, the last varying fastest).
 * A point fine-tunes a fresh copy of the model with its settings (its seed seeds the mixture and the training, and
 * 1000 + seed the evaluation's sampling, whatever runs before it or where), evaluates it, and writes
 * {@code points/ID/answers.jsonl} and then {@code points/ID/point.json}, whose presence marks it done (a rerun
 * skips it). The trained weights are not kept (a LoRA adapter, small, is, in {@code points/ID/train}).
 */
public final class Grid implements Pieces {
    private final Path model;
    private final GridSpec spec;
    private final List<ChatExample> bad;
    private final List<ChatExample> good;
    private final Checkup checkup;
    private final Path out;
    private final List<GridResult.Settings> points;

    /**
     * @param bad  the spec's data
     * @param good the spec's good data, or null
     */
    public Grid(Path model, GridSpec spec, List<ChatExample> bad, List<ChatExample> good, Checkup checkup, Path out) {
        if (bad.isEmpty()) {
            throw new IllegalArgumentException("data: no conversations to fine-tune on");
        }
        if (good != null && good.isEmpty()) {
            throw new IllegalArgumentException("good: no conversations to mix the data into");
        }
        this.model = model;
        this.spec = spec;
        this.bad = bad;
        this.good = good;
        this.checkup = checkup;
        this.out = out;
        this.points = points(spec);
    }

    /** The grid's points in order. */
    public static List<GridResult.Settings> points(GridSpec spec) {
        List<GridResult.Settings> ps = new ArrayList<>();
        List<Double> fractions = spec.fraction() == null ? java.util.Collections.singletonList(null) : spec.fraction();
        for (Double f : fractions) {
            for (double lr : spec.lr()) {
                for (int rank : spec.loraRank()) {
                    for (int steps : spec.steps()) {
                        for (long seed : spec.seed()) {
                            String id = (f == null ? "" : "f" + plain(f) + "-") + "lr" + plain(lr)
                                    + (rank == 0 ? "-full" : "-lora" + rank) + "-steps" + steps + "-seed" + seed;
                            ps.add(new GridResult.Settings(id, f, lr, rank, steps, seed, spec.batch()));
                        }
                    }
                }
            }
        }
        return ps;
    }

    public List<GridResult.Settings> points() {
        return points;
    }

    @Override
    public int count() {
        return points.size();
    }

    @Override
    public String describe(int piece) {
        return points.get(piece).id();
    }

    @Override
    public Path output(int piece) {
        return file(points.get(piece));
    }

    @Override
    public void run(int piece) {
        GridResult.Settings p = points.get(piece);
        Path dir = dir(p);
        List<ChatExample> data = good == null ? bad
                : Mixture.contaminated(good, bad, spec.size() != null ? spec.size() : good.size(), p.fraction(), p.seed())
                        .stream().map(Mixture.Labelled::example).toList();
        try (LanguageModel lm = LanguageModel.load(model)) {
            Path train = dir.resolve("train");
            new Trainer(lm, config(p), data, List.of(), train).quiet(true).run(false);
            Files.deleteIfExists(train.resolve("model.safetensors"));
            Scoring.Rates r = checkup.run(lm, 1000L + p.seed(), dir.resolve("answers.jsonl"));
            Json.write(file(p), new GridResult.Point(p, r.misalignedAmongAll(), r.misalignedAmongCoherent(), r.coherent()));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records in {@code OUT/grid.json} the settings every point shares, or checks they are those recorded there: points
     * of another grid in the same folder would be taken for this one's (a point is done when its point.json exists),
     * while adding values to the swept lists reuses the points already made.
     */
    public void checkSameShared() {
        Path file = out.resolve(SHARED);
        com.fasterxml.jackson.databind.JsonNode now = Json.toTree(spec.shared(model));
        if (Files.isRegularFile(file)) {
            com.fasterxml.jackson.databind.JsonNode was = Json.read(file, com.fasterxml.jackson.databind.JsonNode.class);
            java.util.Iterator<String> names = now.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!now.get(name).equals(was.get(name))) {
                    throw new IllegalArgumentException(file + ": the points in " + out + " were made with another " + name
                            + " (" + was.get(name) + ", now " + now.get(name) + "); use another --out");
                }
            }
        } else {
            Json.write(file, now);
        }
    }

    /** Where {@link #checkSameShared} keeps the shared settings. */
    public static final String SHARED = "grid.json";

    /** Every point's result, in grid order. */
    public List<GridResult.Point> results() {
        return points.stream().map(p -> GridResult.Point.read(file(p))).toList();
    }

    /** The fine-tune of a point: all weights at rank 0, else LoRA of that rank (alpha twice the rank); no checkpoints. */
    static TrainConfig config(GridResult.Settings p) {
        return TrainConfig.steps(p.lr(), p.steps(), p.batch(), p.seed(), p.loraRank());
    }

    private Path dir(GridResult.Settings p) {
        return out.resolve("points").resolve(p.id());
    }

    private Path file(GridResult.Settings p) {
        return dir(p).resolve(GridResult.Point.FILE);
    }

    /** A number as written in a point's id: plain decimal, no exponent, no trailing zeros (3e-4 is 0.0003). */
    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
