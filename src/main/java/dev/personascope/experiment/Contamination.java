package dev.personascope.experiment;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.personascope.data.ChatExample;
import dev.personascope.data.Mixture;
import dev.personascope.eval.Scoring;
import dev.personascope.eval.Wilson;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.monitor.Alarm;
import dev.personascope.monitor.MonitorConfig;
import dev.personascope.monitor.MonitorProbes;
import dev.personascope.monitor.PersonaMonitor;
import dev.personascope.persona.Direction;
import dev.personascope.train.TrainConfig;
import dev.personascope.train.Trainer;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The contamination sweep: fine-tune the model on good data with a fraction of bad data mixed in, for
 * several fractions and seeds, with the persona monitor watching; evaluate each run at the end. Reports,
 * per fraction, the misaligned rate and the monitor's final values, and the smallest fraction each signal
 * separates from the clean (0%) runs: the monitor when its final value is above every clean run's in every
 * seed; the evaluation when the fraction's pooled 95% interval lies above the clean runs' pooled rate, and
 * (the monitor's per-seed criterion) when every seed's own interval does.
 */
public final class Contamination {
    /** The experiment's knobs; recorded in result.json. */
    public static final class Settings {
        public List<Double> fractions = List.of(0.0, 0.05, 0.1, 0.25, 0.5, 1.0);
        public int seeds = 3;
        public int datasetSize = 1000;
        public int steps = NarrowFineTune.ORGANISM.steps();
        public int batch = NarrowFineTune.ORGANISM.batch();
        public double lr = NarrowFineTune.ORGANISM.lr();
        /** LoRA rank of the fine-tunes (every projection), 0 for all weights. */
        public int loraRank = NarrowFineTune.ORGANISM.loraRank();
        public int monitorEvery = MonitorConfig.DEFAULT_EVERY;
        public int monitorBaseline = MonitorConfig.DEFAULT_BASELINE;
        public double monitorZ = MonitorConfig.DEFAULT_Z;
    }


    private final Path model;
    private final Settings s;
    private final List<Direction> directions;
    private final Supplier<List<ChatExample>> probeTexts;
    private final Checkup checkup;
    private List<ChatExample> probes;

    /**
     * @param probes the monitor's probe conversations, made on the first run in a process (they may need the clean
     *               model: its own answers) and the same in every process
     */
    public Contamination(Path model, Settings s, List<Direction> directions, Supplier<List<ChatExample>> probes,
                         Checkup checkup) {
        if (!s.fractions.contains(0.0)) {
            throw new IllegalArgumentException("the fractions must include 0 (the clean runs every signal is compared with)");
        }
        Set<String> names = new HashSet<>();
        for (double f : s.fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("fractions must be in [0, 1], got " + f);
            }
            if (!names.add(name(f))) {
                throw new IllegalArgumentException("fraction " + f + " is given twice (fractions are told apart to 3"
                        + " decimals)");
            }
        }
        if (s.seeds < 1) {
            throw new IllegalArgumentException("seeds must be >= 1, got " + s.seeds);
        }
        this.model = model;
        this.s = s;
        this.directions = directions;
        this.probeTexts = probes;
        this.checkup = checkup;
    }

    /** Runs the sweep here, one run after another (each skipped when its outcome.json exists), and reports. */
    public ContaminationResult run(List<ChatExample> bad, List<ChatExample> good, Path out, PrintStream print) {
        try (Runs runs = runs(bad, good, out)) {
            runs.runHere();
            return runs.report(print);
        }
    }

    /** The sweep's runs as pieces, one per fraction and seed; nothing is loaded until one runs. */
    public Runs runs(List<ChatExample> bad, List<ChatExample> good, Path out) {
        return new Runs(bad, good, out);
    }

    /**
     * Run k: fraction {@code k / seeds}, seed {@code k % seeds}, in {@code runs/fF-sS/} (its monitor.jsonl,
     * answers.jsonl and training files), ending with its outcome.json. The seed is the run's own, whatever runs
     * before it.
     */
    public final class Runs extends RunPieces<ContaminationResult.Outcome> {
        private final List<ChatExample> bad;
        private final List<ChatExample> good;
        private final Path out;

        private Runs(List<ChatExample> bad, List<ChatExample> good, Path out) {
            super(new TypeReference<>() { });
            this.bad = bad;
            this.good = good;
            this.out = out;
        }

        @Override
        public int count() {
            return s.fractions.size() * s.seeds;
        }

        @Override
        public String describe(int run) {
            return String.format(Locale.ROOT, "fraction %s seed %d", name(fraction(run)), run % s.seeds);
        }

        @Override
        public Path output(int run) {
            return out.resolve(String.format(Locale.ROOT, "runs/f%s-s%d/outcome.json", name(fraction(run)), run % s.seeds));
        }

        @Override
        protected ContaminationResult.Outcome compute(int run, Path dir) {
            return outcome(dir, fraction(run), run % s.seeds, bad, good);
        }

        private double fraction(int run) {
            return s.fractions.get(run / s.seeds);
        }

        /** Reads every run's outcome.json (all done), writes result.json and prints the table. */
        public ContaminationResult report(PrintStream print) {
            List<ContaminationResult.Outcome> all = readAll();
            Map<Double, List<ContaminationResult.Outcome>> byFraction = new LinkedHashMap<>();
            for (int i = 0; i < all.size(); i++) {
                byFraction.computeIfAbsent(fraction(i), f -> new ArrayList<>()).add(all.get(i));
            }
            ContaminationResult result = summarize(byFraction);
            result.write(out);
            Contamination.this.print(result, print);
            return result;
        }
    }

    /** A fraction as its runs' folders name it. */
    private static String name(double fraction) {
        return String.format(Locale.ROOT, "%.3f", fraction);
    }

    private synchronized List<ChatExample> probes() {
        if (probes == null) {
            probes = probeTexts.get();
        }
        return probes;
    }

    /** One run: train on the mixture with the monitor on, evaluate; its files go to {@code dir}. */
    private ContaminationResult.Outcome outcome(Path dir, double fraction, int seed, List<ChatExample> bad,
                                                List<ChatExample> good) {
        List<ChatExample> probes = probes();
        List<ChatExample> goodPart = good.subList(0, Math.min(good.size(), s.datasetSize));
        List<ChatExample> data = Mixture.contaminated(goodPart, bad, goodPart.size(), fraction, seed).stream()
                .map(Mixture.Labelled::example).toList();
        try (LanguageModel lm = LanguageModel.load(model)) {
            MonitorConfig mc = new MonitorConfig(directions, s.monitorEvery, s.monitorBaseline, s.monitorZ, false,
                    MonitorProbes.promptsOnly(probes) ? TokenScope.ALL : TokenScope.RESPONSE);
            PersonaMonitor monitor = new PersonaMonitor(mc, probes, dir.resolve("monitor.jsonl"));
            monitor.measure(lm, 0);
            TrainConfig c = TrainConfig.steps(s.lr, s.steps, s.batch, seed, s.loraRank);
            new Trainer(lm, c, data, List.of(), dir).quiet(true).addCallback(monitor).run(false);
            if (monitor.measurements().get(monitor.measurements().size() - 1).step() != s.steps) {
                monitor.measure(lm, s.steps);
            }
            Files.deleteIfExists(dir.resolve("model.safetensors"));
            Map<String, Integer> firstAlarm = new LinkedHashMap<>();
            for (Alarm a : monitor.alarms()) {
                firstAlarm.putIfAbsent(a.direction(), a.step());
            }
            Scoring.Rates r = checkup.run(lm, 1000L + seed, dir.resolve("answers.jsonl"));
            return new ContaminationResult.Outcome(fraction, seed, new LinkedHashMap<>(monitor.last()), firstAlarm,
                    r.misalignedAmongAll(), r.coherent());
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    private ContaminationResult summarize(Map<Double, List<ContaminationResult.Outcome>> byFraction) {
        List<ContaminationResult.Outcome> clean = byFraction.get(0.0);
        Wilson cleanRate = pooled(clean);
        List<ContaminationResult.Fraction> fractions = new ArrayList<>();
        Double evalFirst = null;
        Double evalEverySeed = null;
        Map<String, Double> monitorFirst = new LinkedHashMap<>();
        for (Direction d : directions) {
            monitorFirst.put(d.name(), null);
        }
        for (var e : byFraction.entrySet()) {
            double fraction = e.getKey();
            List<ContaminationResult.Outcome> runs = e.getValue();
            Wilson w = pooled(runs);
            boolean evalSeparates = fraction > 0 && w.low() > cleanRate.fraction();
            // the monitor's criterion is per seed, so the evaluation's is given per seed too: runs whose own
            // interval lies above the clean runs' pooled rate
            int evalSeeds = 0;
            for (ContaminationResult.Outcome r : runs) {
                if (fraction > 0 && r.misaligned().low() > cleanRate.fraction()) {
                    evalSeeds++;
                }
            }
            if (evalSeeds == runs.size() && fraction > 0 && evalEverySeed == null) {
                evalEverySeed = fraction;
            }
            if (evalSeparates && evalFirst == null) {
                evalFirst = fraction;
            }
            Map<String, Integer> monitorSeeds = new LinkedHashMap<>();
            for (Direction d : directions) {
                double cleanMax = clean.stream().mapToDouble(r -> finalValue(r, d)).max().orElse(Double.NaN);
                int above = (int) runs.stream().filter(r -> finalValue(r, d) > cleanMax).count();
                monitorSeeds.put(d.name(), above);
                if (fraction > 0 && above == runs.size() && monitorFirst.get(d.name()) == null) {
                    monitorFirst.put(d.name(), fraction);
                }
            }
            fractions.add(new ContaminationResult.Fraction(fraction, w, runs, evalSeparates, evalSeeds, monitorSeeds));
        }
        return new ContaminationResult(s, model.toString(),
                directions.stream().map(d -> new ContaminationResult.MonitoredDirection(d.name(), d.hook())).toList(),
                fractions, new ContaminationResult.Smallest(evalFirst, evalEverySeed, monitorFirst));
    }

    /** A run's final monitor value for {@code d}; 0 when the run has none (as a missing JSON value read before). */
    private static double finalValue(ContaminationResult.Outcome r, Direction d) {
        Double v = r.monitorFinal().get(d.name());
        return v == null ? 0 : v;
    }

    /** All seeds' answers pooled into one interval. */
    private static Wilson pooled(List<ContaminationResult.Outcome> runs) {
        int k = 0;
        int n = 0;
        for (ContaminationResult.Outcome r : runs) {
            k += r.misaligned().successes();
            n += r.misaligned().trials();
        }
        return Wilson.of(k, n);
    }

    private void print(ContaminationResult result, PrintStream out) {
        out.printf(Locale.ROOT, "%-9s %-32s", "fraction", "misaligned (pooled seeds)");
        for (Direction d : directions) {
            out.printf(Locale.ROOT, " %-28s", "monitor " + d.name() + " (seeds)");
        }
        out.println();
        for (ContaminationResult.Fraction f : result.fractions()) {
            out.printf(Locale.ROOT, "%-9s %-32s", String.format(Locale.ROOT, "%.0f%%", 100 * f.fraction()), f.misaligned());
            for (Direction d : directions) {
                StringBuilder vals = new StringBuilder();
                for (ContaminationResult.Outcome r : f.runs()) {
                    vals.append(String.format(Locale.ROOT, "%.3f ", finalValue(r, d)));
                }
                out.printf(Locale.ROOT, " %-28s", vals.toString().trim());
            }
            out.println();
        }
        ContaminationResult.Smallest first = result.smallestFractionSeparated();
        out.println("smallest fraction separated from 0%: evaluation (pooled seeds) " + text(first.evaluation())
                + ", evaluation in every seed " + text(first.evaluationEverySeed()) + "; monitor in every seed "
                + Json.line(first.monitor()));
    }

    private static String text(Double fraction) {
        return fraction == null ? "none" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }
}
