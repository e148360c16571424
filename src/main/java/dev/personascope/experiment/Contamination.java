package dev.personascope.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.data.ChatExample;
import dev.personascope.data.Mixture;
import dev.personascope.eval.Evaluation;
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
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        public int monitorEvery = MonitorConfig.DEFAULT_EVERY;
        public int monitorBaseline = MonitorConfig.DEFAULT_BASELINE;
        public double monitorZ = MonitorConfig.DEFAULT_Z;
    }

    
    private final Path model;
    private final Settings s;
    private final List<Direction> directions;
    private final List<ChatExample> probes;
    private final Checkup checkup;

    public Contamination(Path model, Settings s, List<Direction> directions, List<ChatExample> probes, Checkup checkup) {
        if (!s.fractions.contains(0.0)) {
            throw new IllegalArgumentException("the fractions must include 0 (the clean runs every signal is compared with)");
        }
        for (double f : s.fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("fractions must be in [0, 1], got " + f);
            }
        }
        this.model = model;
        this.s = s;
        this.directions = directions;
        this.probes = probes;
        this.checkup = checkup;
    }

    public ObjectNode run(List<ChatExample> bad, List<ChatExample> good, Path out, PrintStream print) {
        Map<Double, List<JsonNode>> byFraction = new LinkedHashMap<>();
        try (ProgressBar bar = new ProgressBar("contamination", s.fractions.size() * s.seeds, "runs")) {
            for (double f : s.fractions) {
                List<JsonNode> runs = new ArrayList<>();
                for (int seed = 0; seed < s.seeds; seed++) {
                    Path dir = out.resolve(String.format(Locale.ROOT, "runs/f%.3f-s%d", f, seed));
                    runs.add(outcome(dir, f, seed, bad, good));
                    bar.step(1);
                }
                byFraction.put(f, runs);
            }
        }
        ObjectNode result = summarize(byFraction);
        AtomicFiles.writeJson(out.resolve("result.json"), result);
        print(result, print);
        return result;
    }

    /** One run's outcome.json, made unless it exists (so an interrupted sweep resumes). */
    private JsonNode outcome(Path dir, double fraction, int seed, List<ChatExample> bad, List<ChatExample> good) {
        return RunCache.getOrRun(dir.resolve("outcome.json"), () -> {
            List<ChatExample> goodPart = good.subList(0, Math.min(good.size(), s.datasetSize));
            List<ChatExample> data = Mixture.contaminated(goodPart, bad, goodPart.size(), fraction, seed).stream()
                    .map(Mixture.Labelled::example).toList();
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("fraction", fraction);
            o.put("seed", seed);
            try (LanguageModel lm = LanguageModel.load(model)) {
                MonitorConfig mc = new MonitorConfig(directions, s.monitorEvery, s.monitorBaseline, s.monitorZ, false,
                        MonitorProbes.promptsOnly(probes) ? TokenScope.ALL : TokenScope.RESPONSE);
                PersonaMonitor monitor = new PersonaMonitor(mc, probes, dir.resolve("monitor.jsonl"));
                monitor.measure(lm, 0);
                TrainConfig c = TrainConfig.fullSteps(s.lr, s.steps, s.batch, seed);
                new Trainer(lm, c, data, List.of(), dir).quiet(true).addCallback(monitor).run(false);
                if (monitor.measurements().get(monitor.measurements().size() - 1).step() != s.steps) {
                    monitor.measure(lm, s.steps);
                }
                Files.deleteIfExists(dir.resolve("model.safetensors"));
                ObjectNode fin = o.putObject("monitor_final");
                monitor.last().forEach(fin::put);
                ObjectNode alarms = o.putObject("first_alarm_step");
                for (Alarm a : monitor.alarms()) {
                    if (!alarms.has(a.direction())) {
                        alarms.put(a.direction(), a.step());
                    }
                }
                Scoring.Rates r = checkup.run(lm, 1000L + seed, dir.resolve("answers.jsonl"));
                Evaluation.wilson(o.putObject("misaligned"), r.misalignedAmongAll());
                Evaluation.wilson(o.putObject("coherent"), r.coherent());
            } catch (IOException e) {
                throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
            }
            return o;
        });
    }

    private ObjectNode summarize(Map<Double, List<JsonNode>> byFraction) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.set("settings", Json.MAPPER.valueToTree(s));
        result.put("model", model.toString());
        ArrayNode dirs = result.putArray("directions");
        directions.forEach(d -> dirs.addObject().put("name", d.name()).put("hook", d.hook()));
        List<JsonNode> clean = byFraction.get(0.0);
        Wilson cleanRate = pooled(clean);
        ArrayNode fr = result.putArray("fractions");
        Double evalFirst = null;
        Double evalEverySeed = null;
        Map<String, Double> monitorFirst = new LinkedHashMap<>();
        for (var e : byFraction.entrySet()) {
            ObjectNode f = fr.addObject();
            f.put("fraction", e.getKey());
            Wilson w = pooled(e.getValue());
            Evaluation.wilson(f.putObject("misaligned"), w);
            ArrayNode seeds = f.putArray("runs");
            e.getValue().forEach(seeds::add);
            boolean evalSeparates = e.getKey() > 0 && w.low() > cleanRate.fraction();
            f.put("evaluation_separates", evalSeparates);
            // the monitor's criterion is per seed, so the evaluation's is given per seed too: runs whose own
            // interval lies above the clean runs' pooled rate
            int evalSeeds = 0;
            for (JsonNode r : e.getValue()) {
                if (e.getKey() > 0 && r.at("/misaligned/low").asDouble() > cleanRate.fraction()) {
                    evalSeeds++;
                }
            }
            f.put("evaluation_separates_seeds", evalSeeds);
            if (evalSeeds == e.getValue().size() && e.getKey() > 0 && evalEverySeed == null) {
                evalEverySeed = e.getKey();
            }
            if (evalSeparates && evalFirst == null) {
                evalFirst = e.getKey();
            }
            ObjectNode mon = f.putObject("monitor_separates_seeds");
            for (Direction d : directions) {
                double cleanMax = clean.stream().mapToDouble(r -> r.at("/monitor_final/" + escape(d.name())).asDouble())
                        .max().orElse(Double.NaN);
                int above = 0;
                for (JsonNode r : e.getValue()) {
                    if (r.at("/monitor_final/" + escape(d.name())).asDouble() > cleanMax) {
                        above++;
                    }
                }
                mon.put(d.name(), above);
                if (e.getKey() > 0 && above == e.getValue().size() && !monitorFirst.containsKey(d.name())) {
                    monitorFirst.put(d.name(), e.getKey());
                }
            }
        }
        ObjectNode first = result.putObject("smallest_fraction_separated");
        if (evalFirst != null) {
            first.put("evaluation", evalFirst);
        } else {
            first.putNull("evaluation");
        }
        if (evalEverySeed != null) {
            first.put("evaluation_every_seed", evalEverySeed);
        } else {
            first.putNull("evaluation_every_seed");
        }
        ObjectNode m = first.putObject("monitor");
        for (Direction d : directions) {
            if (monitorFirst.containsKey(d.name())) {
                m.put(d.name(), monitorFirst.get(d.name()));
            } else {
                m.putNull(d.name());
            }
        }
        return result;
    }

    /** All seeds' answers pooled into one interval. */
    private static Wilson pooled(List<JsonNode> runs) {
        int k = 0;
        int n = 0;
        for (JsonNode r : runs) {
            k += r.at("/misaligned/successes").asInt();
            n += r.at("/misaligned/trials").asInt();
        }
        return Wilson.of(k, n);
    }

    /** JSON pointer escaping of a key (direction names may hold '/' and '~'). */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private void print(ObjectNode result, PrintStream out) {
        out.printf(Locale.ROOT, "%-9s %-26s", "fraction", "misaligned (pooled seeds)");
        for (Direction d : directions) {
            out.printf(Locale.ROOT, " %-28s", "monitor " + d.name() + " (seeds)");
        }
        out.println();
        for (JsonNode f : result.get("fractions")) {
            JsonNode w = f.get("misaligned");
            out.printf(Locale.ROOT, "%-9s %-26s", String.format(Locale.ROOT, "%.0f%%", 100 * f.get("fraction").asDouble()),
                    Evaluation.percent(w));
            for (Direction d : directions) {
                StringBuilder vals = new StringBuilder();
                for (JsonNode r : f.get("runs")) {
                    vals.append(String.format(Locale.ROOT, "%.3f ", r.at("/monitor_final/" + escape(d.name())).asDouble()));
                }
                out.printf(Locale.ROOT, " %-28s", vals.toString().trim());
            }
            out.println();
        }
        JsonNode first = result.get("smallest_fraction_separated");
        out.println("smallest fraction separated from 0%: evaluation (pooled seeds) " + text(first.get("evaluation"))
                + ", evaluation in every seed " + text(first.get("evaluation_every_seed")) + "; monitor in every seed "
                + first.get("monitor"));
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "none" : String.format(Locale.ROOT, "%.0f%%", 100 * n.asDouble());
    }
}
