package dev.personascope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.experiment.Contamination;
import dev.personascope.experiment.Realignment;
import dev.personascope.monitor.MonitorConfig;
import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeTrainer;
import dev.personascope.train.TrainConfig;
import dev.personascope.world.WorldEm;
import dev.personascope.world.WorldRecipe;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A command given only its required options runs with exactly the settings a fresh settings object holds: a default
 * written a second time on an option, or an option not copied into the settings, fails here.
 */
class SettingsDefinedOnceTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The command object picocli bound {@code args} to (nothing is run). */
    @SuppressWarnings("unchecked")
    static <T> T parsed(String... args) {
        CommandLine.ParseResult r = Main.commandLine().parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return (T) r.commandSpec().userObject();
    }

    static void assertSameJson(Object expected, Object actual) {
        assertEquals(JSON.valueToTree(expected), JSON.valueToTree(actual));
    }

    @Test
    void finetuneDefaultsAreTrainConfigs() {
        FinetuneCommand lora = parsed("finetune", "--data", "d.jsonl", "--out", "o");
        assertEquals(new TrainConfig().toJson(), lora.trainOptions.config().toJson());

        FinetuneCommand full = parsed("finetune", "--full", "--data", "d.jsonl", "--out", "o");
        TrainConfig expected = new TrainConfig();
        expected.mode = TrainConfig.Mode.FULL;
        expected.lr = TrainConfig.defaultLr(TrainConfig.Mode.FULL);
        assertEquals(expected.toJson(), full.trainOptions.config().toJson());
        assertEquals(1e-5, expected.lr); // the documented defaults: 1e-4 LoRA, 1e-5 full
        assertEquals(1e-4, new TrainConfig().lr);
    }

    @Test
    void monitorDefaultsAreMonitorConfigs() {
        FinetuneCommand f = parsed("finetune", "--data", "d.jsonl", "--out", "o", "--monitor", "vector:v.json");
        ExperimentCommand.Contaminate c = parsed("experiment", "contamination", "--bad", "b", "--good", "g",
                "--monitor", "vector:v.json", "--judge", "world", "--out", "o");
        for (MonitorBandOptions band : new MonitorBandOptions[] {f.monitorOptions.band, c.band}) {
            assertEquals(MonitorConfig.DEFAULT_EVERY, band.every);
            assertEquals(MonitorConfig.DEFAULT_BASELINE, band.baseline);
            assertEquals(MonitorConfig.DEFAULT_Z, band.z);
        }
        assertEquals(f.monitorOptions.band.answers, c.band.answers);
    }

    @Test
    void saeTrainDefaultsAreSaeConfigsAndTrainerSettings() {
        SaeCommand.Train t = parsed("sae", "train", "--hook", "blocks.0.hook_resid_post", "--out", "o");
        SaeConfig fresh = new SaeConfig();
        SaeConfig c = t.saeOptions.config(16, "blocks.0.hook_resid_post", "m");
        assertEquals(fresh.k, c.k);
        assertEquals(fresh.architecture, c.architecture);
        assertTrue(c.extra.isEmpty(), c.extra.toString());
        SaeTrainer.Settings fromOptions = t.saeOptions.settings();
        SaeTrainer.Settings expected = new SaeTrainer.Settings();
        expected.deadAfterTokens = fromOptions.deadAfterTokens; // derived from --tokens, not an option
        assertSameJson(expected, fromOptions);
    }

    @Test
    void experimentDefaultsAreTheirSettings() {
        ExperimentCommand.Contaminate c = parsed("experiment", "contamination", "--bad", "b", "--good", "g",
                "--monitor", "vector:v.json", "--judge", "world", "--out", "o");
        assertSameJson(new Contamination.Settings(), c.settings());
        ExperimentCommand.Realign r = parsed("experiment", "realign", "--good", "g", "--judge", "world", "--out", "o");
        assertSameJson(new Realignment.Settings(), r.settings());
        WorldCommand.Em em = parsed("world", "em", "--out", "o");
        assertSameJson(new WorldEm.Settings(), em.settings());
        WorldCommand.Pretrain p = parsed("world", "pretrain", "--out", "o");
        assertSameJson(new WorldRecipe.Settings(), p.settings());
    }

    @Test
    void modesTakeTheirLowerCaseNamesAndAnUnknownOneIsOneLine() {
        FinetuneCommand f = parsed("finetune", "--data", "d.jsonl", "--out", "o", "--schedule", "cosine");
        assertEquals("cosine", f.trainOptions.config().schedule.toString());
        CliTest.Result r = CliTest.run("finetune", "--data", "d.jsonl", "--out", "o", "--schedule", "step");
        assertEquals(2, r.code());
        assertEquals("error: Invalid value for option '--schedule': expected linear, cosine or constant, got 'step'",
                r.err().trim());
        CliTest.Result a = CliTest.run("sae", "train", "--hook", "h", "--out", "o", "--architecture", "jumprelu");
        assertEquals(2, a.code());
        assertEquals("error: Invalid value for option '--architecture': expected topk, batchtopk or standard, got 'jumprelu'",
                a.err().trim());
    }
}
