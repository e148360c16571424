package dev.personascope.cli;

import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.monitor.MonitorConfig;
import dev.personascope.monitor.MonitorProbes;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * When the persona monitor measures and alarms, and how its probes are answered: shared by finetune's monitor and
 * the contamination sweep. The defaults are {@link MonitorConfig}'s.
 */
final class MonitorBandOptions {
    @Option(names = "--monitor-every", paramLabel = "N", description = "Measure every N steps (default ${DEFAULT-VALUE})")
    int every = MonitorConfig.DEFAULT_EVERY;

    @Option(names = "--monitor-baseline", paramLabel = "B",
            description = "Measurements at steps 0, 1, ..., B-1 that make the normal band (default ${DEFAULT-VALUE})")
    int baseline = MonitorConfig.DEFAULT_BASELINE;

    @Option(names = "--monitor-z", paramLabel = "Z",
            description = "Alarm when a value is Z band sd above the band's mean (default ${DEFAULT-VALUE})")
    double z = MonitorConfig.DEFAULT_Z;

    @Option(names = "--monitor-answers", defaultValue = "2", paramLabel = "N",
            description = "Answer each probe prompt N times with the model before training (fixed texts read at every"
                    + " measurement; 0: read the prompts alone) (default ${DEFAULT-VALUE})")
    int answers;

    /** Answers of a probe prompt are at most this many tokens. */
    static final int ANSWER_TOKENS = 48;

    /** The probes, each prompt-only one answered --monitor-answers times by the (untrained) model. */
    List<ChatExample> answered(LanguageModel lm, List<ChatExample> probes, long seed) {
        return MonitorProbes.answered(lm, probes, answers, ANSWER_TOKENS, seed);
    }

    /** Answers per probe are counted, not negative. */
    void validate() {
        if (answers < 0) {
            throw new IllegalArgumentException("--monitor-answers must be >= 0");
        }
    }
}
