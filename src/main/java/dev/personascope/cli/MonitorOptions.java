package dev.personascope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.data.ChatExample;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.monitor.MonitorConfig;
import dev.personascope.monitor.MonitorProbes;
import dev.personascope.persona.Conversations;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.util.EnumNames;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** finetune's early-warning monitor (--monitor ...) and live dashboard (--dashboard ...) options. */
final class MonitorOptions {
    @Option(names = "--monitor", paramLabel = "SPEC",
            description = "Watch a persona direction during training: sae:DIR#LATENT or vector:FILE; repeatable")
    List<String> specs = new ArrayList<>();

    @Mixin
    MonitorBandOptions band;

    @Option(names = "--monitor-stop", description = "Stop training (saving the model or adapter and a checkpoint) on the first alarm")
    boolean stop;

    @Option(names = "--monitor-probes", paramLabel = "FILE",
            description = "Probe prompts: question set (YAML) or chat JSONL (default: the organism's evaluation questions)")
    Path probes;

    @Option(names = "--monitor-scope", defaultValue = "auto", paramLabel = "SCOPE",
            description = "Probe tokens averaged: all, prompt, response, or auto (response when the probes have answers)"
                    + " (default ${DEFAULT-VALUE})")
    Scope scope;

    /** --monitor-scope: a token scope, or auto (response when the probes have answers, else all). */
    enum Scope {
        AUTO, ALL, PROMPT, RESPONSE;

        @Override
        public String toString() {
            return EnumNames.of(this);
        }

        /** The token scope this names; null for auto. */
        TokenScope tokens() {
            return this == AUTO ? null : TokenScope.valueOf(name());
        }
    }

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
        band.validate();
    }

    private TokenScope scope(List<ChatExample> probes) {
        if (scope == Scope.AUTO) {
            return MonitorProbes.promptsOnly(probes) ? TokenScope.ALL : TokenScope.RESPONSE;
        }
        return scope.tokens();
    }

    /** The probe conversations: --monitor-probes, or the organism's questions for the organism. */
    List<ChatExample> probes(Path model) {
        List<ChatExample> p;
        if (probes != null) {
            p = Conversations.read(probes);
        } else if (MonitorProbes.isOrganism(model)) {
            p = MonitorProbes.organism();
        } else {
            throw new IllegalArgumentException("--monitor needs --monitor-probes FILE (a question set or chat JSONL)"
                    + " for a model that is not the persona organism");
        }
        if (scope == Scope.RESPONSE && MonitorProbes.promptsOnly(p)
                && band.answers == 0) {
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
        return new MonitorConfig(dirs, band.every, band.baseline, band.z, stop, scope(probes));
    }

    /** The settings, for run.json. */
    void record(ObjectNode run) {
        if (on()) {
            ObjectNode m = run.putObject("monitor");
            ArrayNode d = m.putArray("directions");
            specs.forEach(d::add);
            m.put("every", band.every);
            m.put("baseline", band.baseline);
            m.put("z_threshold", band.z);
            m.put("stop_on_alarm", stop);
            m.put("probes", probes != null ? probes.toString() : "organism evaluation questions");
            m.put("answers_per_probe", band.answers);
            m.put("scope", scope.toString());
            m.put("log", "monitor.jsonl");
        }
        if (dashboardPort != null) {
            run.putObject("dashboard").put("port", dashboardPort).put("linger_s", linger);
        }
    }
}
