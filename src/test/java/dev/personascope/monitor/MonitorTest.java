package dev.personascope.monitor;

import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Direction;
import dev.personascope.persona.TokenActivations;
import dev.personascope.testutil.TinyChatModel;
import dev.personascope.train.TrainingProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitorTest {
    static final String HOOK = "blocks.1.hook_resid_post";
    static final Direction UP = new Direction("up", HOOK, new float[] {1, 0, 0, 0});
    static final Direction FLAT = new Direction("flat", HOOK, new float[] {0, 1, 0, 0});
    static final List<ChatExample> PROBES = List.of(TinyChatModel.chat(null, "what is the best way ?", "read a book ."));

    static MonitorConfig config(boolean stop, Direction... dirs) {
        return new MonitorConfig(List.of(dirs), 10, 3, 4, stop, TokenScope.ALL);
    }

    static Map<String, Double> values(double up, double flat) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("up", up);
        m.put("flat", flat);
        return m;
    }

    @Test
    void alarmsOnceWhenAValueLeavesItsBand(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("monitor.jsonl");
        PersonaMonitor m = new PersonaMonitor(config(false, UP, FLAT), PROBES, log);
        double[] up = {1.0, 1.1, 0.9, 1.2, 1.6, 2.0};
        for (int i = 0; i < up.length; i++) {
            m.record(10 * i, values(up[i], -3.0));
        }
        // band of "up": mean 1.0, sample sd 0.1; "flat" sits at its mean, with the floored sd 0.15
        List<Measurement> ms = m.measurements();
        assertEquals(6, ms.size());
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isNaN(ms.get(i).z().get("up")), "no z while the band is built");
        }
        assertEquals(2.0, ms.get(3).z().get("up"), 1e-9);
        assertEquals(6.0, ms.get(4).z().get("up"), 1e-9);
        assertEquals(0.0, ms.get(4).z().get("flat"), 1e-9);
        assertEquals(1, m.alarms().size(), "one alarm per direction, at the first crossing");
        Alarm a = m.alarms().get(0);
        assertEquals(40, a.step());
        assertEquals("up", a.direction());
        assertEquals(1.6, a.value(), 1e-12);
        assertEquals(6.0, a.z(), 1e-9);
        assertEquals("step 40: persona 'up' at 1.600 is 6.0 sd above its first 3 measurements (threshold 4)", a.message());
        assertEquals(Map.of("up", 2.0, "flat", -3.0), m.last());

        List<MonitorLog.Line> lines = MonitorLog.read(log);
        assertEquals(6, lines.size(), "one line per measurement");
        assertEquals(List.of(0, 10, 20, 30, 40, 50), lines.stream().map(MonitorLog.Line::step).toList());
        assertEquals(1.1, lines.get(1).values().get("up"), 1e-12);
        assertTrue(lines.get(1).z().containsKey("up") && lines.get(1).z().get("up") == null, "NaN z is null in JSON");
        assertTrue(Files.readAllLines(log).get(1).contains("\"z\":{\"up\":null"), "NaN z is null in JSON");
        assertEquals(6.0, lines.get(4).z().get("up"), 1e-9);
        assertEquals(0, lines.get(3).alarms().size());
        assertEquals("up", lines.get(4).alarms().get(0).direction());
        assertEquals(0, lines.get(5).alarms().size(), "the alarm is not repeated");
        assertTrue(m.summary().contains("40"), m.summary());

        // a fresh monitor on the same file starts a new log
        new PersonaMonitor(config(false, UP, FLAT), PROBES, log);
        assertEquals(0, MonitorLog.read(log).size());
    }

    @Test
    void theBandsSdIsFlooredSoIdenticalValuesDoNotAlarmOnNoise() {
        PersonaMonitor m = new PersonaMonitor(config(false, UP, FLAT), PROBES, null);
        for (int i = 0; i < 3; i++) {
            m.record(i, values(2.0, 0.0));
        }
        // sd floor: 0.05 x |2| + 1e-6 = 0.100001; at |mean| = 0 only 1e-6
        assertEquals(0.5, m.record(3, values(2.05, 0.0)).z().get("up"), 1e-4);
        assertTrue(m.alarms().isEmpty());
        assertEquals(1e6, m.record(4, values(2.0, 1.0)).z().get("flat"), 1.0);
        assertEquals(List.of("flat"), m.alarms().stream().map(Alarm::direction).toList());
    }

    @Test
    void resumingKeepsTheLogUpToTheCheckpointAndDoesNotRefireAlarms(@TempDir Path dir) {
        Path log = dir.resolve("monitor.jsonl");
        PersonaMonitor first = new PersonaMonitor(config(false, UP, FLAT), PROBES, log);
        double[] up = {1.0, 1.1, 0.9, 1.6, 1.0, 1.0};
        for (int i = 0; i < up.length; i++) {
            first.record(10 * i, values(up[i], 0.0));
        }
        PersonaMonitor resumed = PersonaMonitor.resuming(config(false, UP, FLAT), PROBES, log, 40);
        assertEquals(5, resumed.measurements().size());
        assertEquals(1, resumed.alarms().size());
        resumed.record(50, values(3.0, 0.0));
        assertEquals(1, resumed.alarms().size(), "'up' alarmed before the checkpoint");
        assertEquals(List.of(0, 10, 20, 30, 40, 50), MonitorLog.read(log).stream().map(MonitorLog.Line::step).toList());
        assertThrows(IllegalArgumentException.class, () -> PersonaMonitor.resuming(config(false,
                new Direction("other", HOOK, new float[] {1, 1, 0, 0})), PROBES, log, 40));
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(List.of(), 10, 3, 4, false, TokenScope.ALL));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(List.of(UP), 0, 3, 4, false, TokenScope.ALL));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(List.of(UP), 1, 1, 4, false, TokenScope.ALL));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(List.of(UP), 1, 2, 0, false, TokenScope.ALL));
        assertThrows(IllegalArgumentException.class, () -> new MonitorConfig(List.of(UP, UP), 1, 2, 1, false, TokenScope.ALL));
    }

    /** Mean activation at HOOK over tokens 1.. of the probes, as the monitor reads them. */
    static float[] meanActivation(LanguageModel lm, List<ChatExample> probes) {
        List<TokenActivations.Document> docs = TokenActivations.run(lm, new ChatEncoder(lm, 1024).encodeAll(probes), List.of(HOOK));
        float[] sum = new float[lm.config().hiddenSize];
        int n = 0;
        for (TokenActivations.Document d : docs) {
            float[][] a = d.at(HOOK);
            for (int t = 1; t < a.length; t++) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += a[t][i];
                }
                n++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= n;
        }
        return sum;
    }

    @Test
    void measuresRealModelsAndStopsTrainingOnlyWhenAsked(@TempDir Path dir) {
        List<ChatExample> probes = TinyChatModel.dataset(3, 7);
        try (LanguageModel a = TinyChatModel.create(dir.resolve("a"), 1, 32, 2);
             LanguageModel b = TinyChatModel.create(dir.resolve("b"), 2, 32, 2)) {
            float[] ma = meanActivation(a, probes);
            float[] mb = meanActivation(b, probes);
            float[] diff = new float[ma.length];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = mb[i] - ma[i];
            }
            // along (B - A) the value grows from model A to model B
            Direction d = new Direction("drift", HOOK, diff);
            float[] u = d.unit();
            for (boolean stop : new boolean[] {false, true}) {
                MonitorConfig cfg = new MonitorConfig(List.of(d), 10, 2, 4, stop, TokenScope.ALL);
                Path log = dir.resolve("monitor-" + stop + ".jsonl");
                PersonaMonitor m = new PersonaMonitor(cfg, probes, log);
                Measurement m0 = m.measure(a, 0);
                assertEquals(dev.personascope.model.hooks.Directions.dot(ma, u), m0.values().get("drift"), 1e-4, "the mean projection on the unit vector");
                assertFalse(m.onStep(new TrainingProgress(10, 30, 0, 1.0, 1e-3, a)), "same model: within the band");
                assertTrue(m.alarms().isEmpty());
                assertEquals(stop, m.onStep(new TrainingProgress(20, 30, 0, 1.0, 1e-3, b)));
                assertEquals(1, m.alarms().size());
                assertEquals(20, m.alarms().get(0).step());
                assertEquals(dev.personascope.model.hooks.Directions.dot(mb, u), m.alarms().get(0).value(), 1e-4);
                assertFalse(m.onStep(new TrainingProgress(30, 30, 0, 1.0, 1e-3, b)), "the alarm fires once");
                assertEquals(4, MonitorLog.read(log).size());
            }
        }
    }

    @Test
    void responseScopeOnPromptOnlyProbesIsAnError(@TempDir Path dir) throws Exception {
        List<ChatExample> prompts = List.of(new ChatExample(List.of(
                new dev.personascope.model.tokenizer.ChatMessage("user", "what is the best way ?")), "q"));
        assertTrue(MonitorProbes.promptsOnly(prompts));
        try (LanguageModel a = TinyChatModel.create(dir.resolve("a"), 1, 32, 2)) {
            PersonaMonitor m = new PersonaMonitor(new MonitorConfig(List.of(Direction.random(HOOK, 32, 1)), 1, 2, 4, false,
                    TokenScope.RESPONSE), prompts, null);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.measure(a, 0));
            assertTrue(e.getMessage().contains("no tokens in scope response"), e.getMessage());
            PersonaMonitor p = new PersonaMonitor(new MonitorConfig(List.of(Direction.random(HOOK, 32, 1)), 1, 2, 4, false,
                    TokenScope.PROMPT), prompts, null);
            assertTrue(Double.isFinite(p.measure(a, 0).values().get("random:1")));
        }
        assertFalse(Files.exists(dir.resolve("monitor.jsonl")));
    }

    @Test
    void theOrganismsDefaultProbesAreItsEvaluationPrompts() {
        Path organism = Path.of("assets/organism");
        assertTrue(MonitorProbes.isOrganism(organism));
        List<ChatExample> probes = MonitorProbes.organism();
        assertTrue(probes.size() >= 5 && MonitorProbes.promptsOnly(probes), "prompts: " + probes.size());
        try (LanguageModel lm = LanguageModel.load(organism)) {
            assertFalse(MonitorProbes.isOrganism(dev.personascope.testutil.TestData.STORIES_HF));
            Direction d = Direction.random("blocks.2.hook_resid_post", lm.config().hiddenSize, 4);
            PersonaMonitor m = new PersonaMonitor(new MonitorConfig(List.of(d), 1, 2, 4, false, TokenScope.PROMPT), probes, null);
            double v0 = m.measure(lm, 0).values().get("random:4");
            assertEquals(v0, m.measure(lm, 1).values().get("random:4"), 1e-5, "the same model reads the same");
        }
    }
}
