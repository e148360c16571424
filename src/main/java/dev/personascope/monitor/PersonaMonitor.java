package dev.personascope.monitor;

import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.persona.Direction;
import dev.personascope.persona.TokenActivations;
import dev.personascope.optim.Autograd;
import dev.personascope.data.ChatEncoder;
import dev.personascope.train.TrainingCallback;
import dev.personascope.train.TrainingProgress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The early-warning persona monitor: every few optimizer steps it runs a fixed set of probe
 * conversations through the live model and reads each watched direction's mean projection (see
 * {@link Projections}). The first {@code baseline} measurements (steps 0, 1, ..., baseline-1) make each
 * direction's band (see {@link Band}); after that, a value more than {@code zThreshold} band sd above the band's mean fires
 * an alarm, once per direction, and with {@code stopOnAlarm} stops training.
 *
 * <p>The caller takes the step-0 measurement before training with {@code measure(lm, 0)}.
 */
public final class PersonaMonitor implements TrainingCallback {
    /** Probe conversations longer than this are cut. */
    public static final int MAX_PROBE_TOKENS = 1024;

    private final MonitorConfig config;
    private final List<ChatExample> probes;
    private final MonitorLog log;
    private final Map<String, Band> bands = new LinkedHashMap<>();
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Alarm> alarms = new ArrayList<>();
    private final Set<String> alarmed = new HashSet<>();
    private Consumer<Measurement> onMeasure = m -> { };
    private Consumer<Alarm> onAlarm = a -> { };
    private List<ChatEncoder.Encoded> encoded;

    /** A fresh run: an existing log file is emptied. */
    public PersonaMonitor(MonitorConfig config, List<ChatExample> probes, Path logJsonl) {
        this(config, probes, logJsonl, -1);
    }

    private PersonaMonitor(MonitorConfig config, List<ChatExample> probes, Path logJsonl, int keepUpTo) {
        if (probes.isEmpty()) {
            throw new IllegalArgumentException("the monitor needs at least one probe conversation");
        }
        this.config = config;
        this.probes = List.copyOf(probes);
        for (Direction d : config.directions()) {
            bands.put(d.name(), new Band(config.baseline()));
        }
        this.log = logJsonl == null ? null : new MonitorLog(logJsonl);
        if (log != null) {
            for (MonitorLog.Line line : log.keepUpTo(keepUpTo)) {
                replay(line);
            }
        }
    }

    /**
     * A resumed run: keeps the log's measurements up to {@code step} (the checkpoint's) and replays
     * them, so the band, the z-scores and the alarms already fired carry on; later lines are dropped.
     */
    public static PersonaMonitor resuming(MonitorConfig config, List<ChatExample> probes, Path logJsonl, int step) {
        return new PersonaMonitor(config, probes, logJsonl, Math.max(step, 0));
    }

    /** Listeners called after each measurement and each alarm (e.g. a dashboard); replaces earlier ones. */
    public PersonaMonitor listener(Consumer<Measurement> onMeasure, Consumer<Alarm> onAlarm) {
        this.onMeasure = onMeasure != null ? onMeasure : m -> { };
        this.onAlarm = onAlarm != null ? onAlarm : a -> { };
        return this;
    }

    public MonitorConfig config() {
        return config;
    }

    /** One probe pass at this step: the values, their z-scores, any alarms, a log line. */
    public Measurement measure(LanguageModel lm, int step) {
        if (encoded == null) {
            encoded = new ChatEncoder(lm, MAX_PROBE_TOKENS).encodeAll(probes);
        }
        AtomicReference<Map<String, Double>> values = new AtomicReference<>();
        Autograd.noGrad(() -> values.set(Projections.mean(lm, encoded, config.directions(), config.scope())));
        return record(step, values.get());
    }

    /** Records values measured at a step (by name, one per direction): the band, z, alarms, log and listeners. */
    Measurement record(int step, Map<String, Double> values) {
        List<Alarm> fired = new ArrayList<>();
        Measurement m = score(step, values, fired);
        if (log != null) {
            log.append(m, fired);
        }
        onMeasure.accept(m);
        fired.forEach(onAlarm);
        return m;
    }

    private Measurement score(int step, Map<String, Double> values, List<Alarm> fired) {
        Map<String, Double> z = new LinkedHashMap<>();
        for (Map.Entry<String, Band> e : bands.entrySet()) {
            String name = e.getKey();
            Double v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no value for direction '" + name + "' at step " + step);
            }
            Band band = e.getValue();
            double zi = band.add(v);
            z.put(name, zi);
            if (zi > config.zThreshold() && alarmed.add(name)) {
                String msg = String.format(Locale.ROOT,
                        "step %d: persona '%s' at %.4g is %.1f sd above its first %d measurements (threshold %s)",
                        step, name, v, zi, config.baseline(), trim(config.zThreshold()));
                fired.add(new Alarm(step, name, v, zi, msg));
            }
        }
        Measurement m = new Measurement(step, values, z);
        measurements.add(m);
        alarms.addAll(fired);
        return m;
    }

    private void replay(MonitorLog.Line line) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String name : bands.keySet()) {
            Double v = line.values().get(name);
            if (v == null) {
                throw new IllegalArgumentException("the monitor log has no value for '" + name + "' at step "
                        + line.step() + "; resume with the monitor options of the first run");
            }
            values.put(name, v);
        }
        score(line.step(), values, new ArrayList<>());
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }

    public List<Measurement> measurements() {
        return Collections.unmodifiableList(new ArrayList<>(measurements));
    }

    public List<Alarm> alarms() {
        return Collections.unmodifiableList(new ArrayList<>(alarms));
    }

    /** The latest values by direction name (empty before the first measurement). */
    public Map<String, Double> last() {
        return measurements.isEmpty() ? Map.of() : measurements.get(measurements.size() - 1).values();
    }

    /** A table of each direction's first and last value, largest z and alarm step ("-" for none). */
    public String summary() {
        int width = "direction".length();
        for (String name : bands.keySet()) {
            width = Math.max(width, name.length());
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %10s  %10s  %7s  %s%n",
                "direction", "first", "last", "max z", "alarm"));
        for (String name : bands.keySet()) {
            double maxZ = Double.NaN;
            for (Measurement m : measurements) {
                double z = m.z().get(name);
                if (!Double.isNaN(z) && (Double.isNaN(maxZ) || z > maxZ)) {
                    maxZ = z;
                }
            }
            String alarmStep = alarms.stream().filter(a -> a.direction().equals(name)).map(a -> String.valueOf(a.step()))
                    .findFirst().orElse("-");
            double first = measurements.isEmpty() ? Double.NaN : measurements.get(0).values().get(name);
            double last = measurements.isEmpty() ? Double.NaN : last().get(name);
            sb.append(String.format(Locale.ROOT, "%-" + width + "s  %10.4g  %10.4g  %7s  %s%n", name, first, last,
                    Double.isNaN(maxZ) ? "-" : String.format(Locale.ROOT, "%.2f", maxZ), alarmStep));
        }
        return sb.toString();
    }

    @Override
    public int every() {
        return 1; // onStep picks the steps: the band's first steps, then every config.every()
    }

    /**
     * Whether to measure at this step: at steps 1 .. baseline-1 (with step 0, measured before training,
     * they make the band: the model as training starts, before fine-tuning has moved it), then every
     * {@code config.every()} steps.
     */
    boolean measuresAt(int step) {
        return step < config.baseline() || step % config.every() == 0;
    }

    @Override
    public boolean onStep(TrainingProgress p) {
        if (!measuresAt(p.step())) {
            return false;
        }
        int before = alarms.size();
        measure(p.model(), p.step());
        return config.stopOnAlarm() && alarms.size() > before;
    }
}
