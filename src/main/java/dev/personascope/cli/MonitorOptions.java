package dev.personascope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.data.ChatExample;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.monitor.MonitorConfig;
import dev.personascope.model.LanguageModel;
import dev.personascope.monitor.MonitorProbes;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** finetune's early-warning monitor (--monitor ...) and live dashboard (--dashboard ...) options. */
final class MonitorOptions {
    @Option(names = "--monitor", paramLabel = "SPEC",
            description = "Watch a persona direction during training: sae:DIR#LATENT or vector:FILE; repeatable")
    List<String> specs = new ArrayList<>();

    @Option(names = "--monitor-every", defaultValue = "10", paramLabel = "N", description = "Measure every N steps (default ${DEFAULT-VALUE})")
    int every;

    @Option(names = "--monitor-baseline", defaultValue = "3", paramLabel = "B",
            description = "Measurements at steps 0, 1, ..., B-1 that make the normal band (default ${DEFAULT-VALUE})")
    int baseline;

    @Option(names = "--monitor-z", defaultValue = "4", paramLabel = "Z",
            description = "Alarm when a value is Z band sd above the band's mean (default ${DEFAULT-VALUE})")
    double z;

    @Option(names = "--monitor-stop", description = "Stop training (saving the model or adapter and a checkpoint) on the first alarm")
    boolean stop;

    @Option(names = "--monitor-probes", paramLabel = "FILE",
            description = "Probe prompts: question set (YAML) or chat JSONL (default: the organism's evaluation questions)")
    Path probes;

    @Option(names = "--monitor-answers", defaultValue = "2", paramLabel = "N",
            description = "Answer each probe prompt N times with the model before training (fixed texts read at every"
                    + " measurement; 0: read the prompts alone) (default ${DEFAULT-VALUE})")
    int answers;

    @Option(names = "--monitor-scope", defaultValue = "auto", paramLabel = "SCOPE",
            description = "Probe tokens averaged: all, prompt, response, or auto (response when the probes have answers)"
                    + " (default ${DEFAULT-VALUE})")
    String scope;

    @Option(names = "--dashboard", paramLabel = "PORT", description = "Serve a live training dashboard on 127.0.0.1 (0 = any free port)")
    Integer dashboardPort;

    @Option(names = "--dashboard-linger", defaultValue = "0", paramLabel = "SECONDS",
            description = "Keep the dashboard up this long after training (default ${DEFAULT-VALUE})")
    int linger;

    boolean on() {
        return !specs.isEmpty();
    }

    /** Checks the options that need no model; call before loading one. */
    void validate() {
        if (!on() && (probes != null || stop)) {
            throw new IllegalArgumentException("--monitor-probes and --monitor-stop need --monitor SPEC");
        }
        if (linger < 0) {
            throw new IllegalArgumentException("--dashboard-linger must be >= 0");
        }
        if (dashboardPort != null && (dashboardPort < 0 || dashboardPort > 65535)) {
            throw new IllegalArgumentException("--dashboard port must be in 0..65535");
        }
        if (answers < 0) {
            throw new IllegalArgumentException("--monitor-answers must be >= 0");
        }
        if (!scope.equals("auto")) {
            TokenScope.parse(scope);
        }
    }

    /** The probes with answers sampled from the (untrained) model when they are prompts only and --monitor-answers > 0. */
    List<ChatExample> answered(LanguageModel lm, List<ChatExample> prompts, long seed) {
        return MonitorProbes.answered(lm, prompts, answers, 48, seed);
    }

    private TokenScope scope(List<ChatExample> probes) {
        if (scope.equals("auto")) {
            return MonitorProbes.promptsOnly(probes) ? TokenScope.ALL : TokenScope.RESPONSE;
        }
        return TokenScope.parse(scope);
    }

    /** The probe conversations: --monitor-probes, or the organism's questions for the organism. */
    List<ChatExample> probes(Path model) {
        List<ChatExample> p;
        if (probes != null) {
            p = MonitorProbes.read(probes);
        } else if (MonitorProbes.isOrganism(model)) {
            p = MonitorProbes.organism();
        } else {
            throw new IllegalArgumentException("--monitor needs --monitor-probes FILE (a question set or chat JSONL)"
                    + " for a model that is not the persona organism");
        }
        if (!scope.equals("auto") && TokenScope.parse(scope) == TokenScope.RESPONSE && MonitorProbes.promptsOnly(p)
                && answers == 0) {
            throw new IllegalArgumentException("--monitor-scope response needs probes with answers (chat JSONL);"
                    + " these are prompts only");
        }
        return p;
    }

    MonitorConfig config(int dModel, List<ChatExample> probes) {
        List<Direction> dirs = new ArrayList<>();
        for (String s : specs) {
            dirs.add(DirectionSpec.parse(s, null, dModel));
        }
        return new MonitorConfig(dirs, every, baseline, z, stop, scope(probes));
    }

    /** The settings, for run.json. */
    void record(ObjectNode run) {
        if (on()) {
            ObjectNode m = run.putObject("monitor");
            ArrayNode d = m.putArray("directions");
            specs.forEach(d::add);
            m.put("every", every);
            m.put("baseline", baseline);
            m.put("z_threshold", z);
            m.put("stop_on_alarm", stop);
            m.put("probes", probes != null ? probes.toString() : "organism evaluation questions");
            m.put("answers_per_probe", answers);
            m.put("scope", scope);
            m.put("log", "monitor.jsonl");
        }
        if (dashboardPort != null) {
            run.putObject("dashboard").put("port", dashboardPort).put("linger_s", linger);
        }
    }
}
