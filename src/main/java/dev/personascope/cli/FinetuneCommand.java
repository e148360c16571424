package dev.personascope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.data.Mixture;
import dev.personascope.model.LanguageModel;
import dev.personascope.monitor.MonitorConfig;
import dev.personascope.monitor.MonitorDashboard;
import dev.personascope.monitor.PersonaMonitor;
import dev.personascope.dashboard.DashboardCallback;
import dev.personascope.dashboard.DashboardServer;
import dev.personascope.train.Checkpoint;
import dev.personascope.train.RunFolder;
import dev.personascope.train.TrainConfig;
import dev.personascope.train.Trainer;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Supervised fine-tuning on chat JSONL with LoRA (default) or all weights (--full).")
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, description = "Chat JSONL ({\"messages\": [...]} per line)")
    Path data;

    @Option(names = "--mix", description = "FILE.jsonl:FRACTION: that fraction of the stream comes from FILE; repeatable")
    List<String> mixes = new ArrayList<>();

    @Option(names = "--out", required = true, description = "Output folder: adapter or model, log, checkpoint")
    Path out;

    @Mixin
    TrainOptions trainOptions;

    @Option(names = "--resume", description = "Continue the run in OUT from its checkpoint")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace a previous run in OUT (without it, or --resume, a folder"
            + " holding one is refused)")
    boolean overwrite;

    @Mixin
    MonitorOptions monitorOptions;

    /** Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130;

    @Override
    public Integer call() {
        TrainConfig c = trainOptions.config();

        monitorOptions.validate();
        List<Mixture.Part> parts = mixes.stream().map(Mixture.Part::parse).toList();
        preflight(c, parts);
        List<ChatExample> probes = monitorOptions.on() ? monitorOptions.probes(modelOptions.modelPath()) : null;
        List<ChatExample> primary = ChatJsonl.read(data, "--data");
        List<List<ChatExample>> partData = parts.stream().map(p -> ChatJsonl.read(p.file(), "--mix")).toList();
        List<ChatExample> stream = Mixture.build(primary, parts, partData, c.seed);
        List<List<ChatExample>> split = Mixture.split(stream, c.valFraction, c.seed);

        try (LanguageModel lm = modelOptions.load(); DashboardServer server = openDashboard()) {
            Trainer trainer = new Trainer(lm, c, split.get(0), split.get(1), out).prepare();
            writeRunRecord(parts, split.get(0).size(), split.get(1).size());
            if (server != null) {
                trainer.addCallback(new DashboardCallback(server));
            }
            PersonaMonitor monitor = probes == null ? null : startMonitor(lm, probes, server);
            if (monitor != null) {
                trainer.addCallback(monitor);
            }
            String finalMessage = "training failed";
            Trainer.Result r;
            StopOnSignal stop = new StopOnSignal(trainer, out);
            try {
                try {
                    r = trainer.run(resume);
                } catch (RuntimeException e) {
                    stop.failed(e);
                    throw e;
                }
                if (r.interrupted()) {
                    finalMessage = "interrupted at step " + r.steps();
                    System.err.println(finalMessage + "; checkpoint saved in "
                            + out.resolve("checkpoint") + " (continue with --resume)");
                } else {
                    if (r.stoppedByCallback()) {
                        System.err.println("stopped at step " + r.steps() + " by the monitor's alarm; checkpoint saved in "
                                + out.resolve("checkpoint") + " (continue with --resume)");
                    }
                    finalMessage = String.format(java.util.Locale.ROOT, "%s %d steps, final loss %.4f",
                            r.stoppedByCallback() ? "stopped after" : "trained", r.steps(), r.lastLoss());
                    System.out.printf("%s; %s written to %s%n", finalMessage, c.isLora() ? "PEFT adapter" : "model", out);
                }
                if (monitor != null) {
                    System.out.print(monitor.summary());
                }
            } finally {
                if (server != null) {
                    server.finish(finalMessage);
                }
                System.out.flush();
                System.err.flush();
                stop.close(); // after this, a JVM stopped by SIGTERM exits
            }
            if (!r.interrupted()) {
                linger(server);
            }
            return r.interrupted() ? INTERRUPTED : 0;
        }
    }

    /**
     * The checks that need nothing loaded: OUT is a folder that can be written, and OUT's previous run, if any, is continued (--resume, from a checkpoint made with these options)
     * or replaced (--overwrite) only when asked.
     */
    private void preflight(TrainConfig c, List<Mixture.Part> parts) {
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume continues the run in --out and --overwrite replaces it: give one of them");
        }
        if (resume) {
            if (!Files.isDirectory(out) || Checkpoint.savedConfig(out) == null) {
                throw new IllegalArgumentException("--resume: " + out + " holds no checkpoint to continue from"
                        + " (checkpoint/state.json)");
            }
            Trainer.checkResumable(out, c);
        } else if (!overwrite) {
            List<String> previous = RunFolder.previousRun(out);
            if (!previous.isEmpty()) {
                throw new IllegalArgumentException("--out " + out + " already holds a previous run ("
                        + String.join(", ", previous) + "): continue it with --resume, or replace it with --overwrite");
            }
        }
        RunFolder.checkWritable(out, "--out");
    }

    /**
     * Stopping a run from outside. Ctrl-C (SIGINT) asks the trainer to stop after the current step and
     * save a checkpoint; a second Ctrl-C quits at once (the last complete checkpoint stands: they are
     * written by renames). kill (SIGTERM) and a closed terminal (SIGHUP) start the JVM's shutdown, whose
     * hook asks the same and holds the exit until the checkpoint is saved, or at most {@link #GRACE_S}.
     * A process that inherited SIGINT ignored (a background job of a script) cannot see Ctrl-C, as Unix
     * intends; it says so, and SIGTERM still stops it with a checkpoint.
     */
    static final class StopOnSignal implements AutoCloseable {
        static final long GRACE_S = 600;
        private final Trainer trainer;
        private final Path out;
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicInteger presses = new AtomicInteger();
        private final Thread hook;
        private final sun.misc.Signal sigint = new sun.misc.Signal("INT");
        private final sun.misc.SignalHandler previous;
        private volatile boolean shuttingDown;

        StopOnSignal(Trainer trainer, Path out) {
            this.trainer = trainer;
            this.out = out;
            hook = new Thread(() -> {
                shuttingDown = true;
                trainer.requestStop();
                System.err.println("\nstopping after this step to save a checkpoint");
                try {
                    done.await(GRACE_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "finetune-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            sun.misc.SignalHandler old = null;
            try {
                old = sun.misc.Signal.handle(sigint, this::onSigint);
                if (old == sun.misc.SignalHandler.SIG_IGN) {
                    System.err.println("note: this process ignores SIGINT (it was started that way, as background jobs of"
                            + " scripts are), so Ctrl-C does not reach it; kill -TERM " + ProcessHandle.current().pid()
                            + " stops training with a checkpoint");
                }
            } catch (IllegalArgumentException reserved) {
                // -Xrs: the JVM leaves SIGINT alone; the shutdown hook still covers System.exit
            }
            previous = old;
        }

        private void onSigint(sun.misc.Signal s) {
            if (presses.incrementAndGet() == 1) {
                trainer.requestStop();
                System.err.println("\nstopping after this step to save a checkpoint (Ctrl-C again to quit without it)");
            } else {
                try {
                    int saved = Checkpoint.savedStep(out);
                    System.err.println("\nquit at once, without a checkpoint of this step; " + (saved > 0
                            ? "the last one (step " + saved + ") stands in " + Checkpoint.dir(out) : "none was saved before"));
                    System.err.flush();
                } finally {
                    Runtime.getRuntime().halt(INTERRUPTED); // whatever the message met: a second Ctrl-C always quits
                }
            }
        }

        /** An error ended training: printed here if the JVM is shutting down, since it exits when this closes. */
        void failed(RuntimeException e) {
            if (shuttingDown) {
                System.err.println("error: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            if (previous != null) {
                sun.misc.Signal.handle(sigint, previous);
            }
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // SIGTERM: the JVM is exiting and the hook returns now that the run has ended
            }
        }
    }

    private DashboardServer openDashboard() {
        if (monitorOptions.dashboardPort == null) {
            return null;
        }
        try {
            DashboardServer s = new DashboardServer("PersonaScope finetune " + out.getFileName(), monitorOptions.dashboardPort);
            System.out.println("dashboard: " + s.url());
            return s;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot serve the dashboard on port " + monitorOptions.dashboardPort + ": "
                    + e.getMessage());
        }
    }

    /** The monitor, with its first measurement taken (step 0, before training) or its log replayed on --resume. */
    private PersonaMonitor startMonitor(LanguageModel lm, List<ChatExample> prompts, DashboardServer server) {
        List<ChatExample> probes = monitorOptions.band.answered(lm, prompts, trainOptions.seed); // from the untrained model, so a resume gets the same
        MonitorConfig cfg = monitorOptions.config(lm.config().hiddenSize, probes);
        Path log = out.resolve("monitor.jsonl");
        PersonaMonitor m = resume ? PersonaMonitor.resuming(cfg, probes, log, Checkpoint.savedStep(out))
                : new PersonaMonitor(cfg, probes, log);
        if (server != null) {
            MonitorDashboard.replay(m, server);
        }
        m.listener(meas -> {
            if (server != null) {
                MonitorDashboard.publish(server, meas);
            }
        }, alarm -> {
            System.err.println("monitor alarm: " + alarm.message());
            if (server != null) {
                MonitorDashboard.alarm(server, alarm);
            }
        });
        System.err.printf("monitor: %d direction(s) on %d probe(s) every %d steps; log in %s%n", cfg.directions().size(),
                probes.size(), cfg.every(), log);
        if (!resume) {
            m.measure(lm, 0); // the band's first point: the model before training
        }
        return m;
    }

    private void linger(DashboardServer server) {
        if (server == null || monitorOptions.linger <= 0) {
            return;
        }
        System.out.println("dashboard stays up " + monitorOptions.linger + " s at " + server.url());
        try {
            Thread.sleep(monitorOptions.linger * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** run.json: the model, data files, mixture and counts behind the outputs. */
    private void writeRunRecord(List<Mixture.Part> parts, int nTrain, int nVal) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("model", modelOptions.modelPath().toString());
        if (modelOptions.adapter != null) {
            o.put("adapter", modelOptions.adapter.toString());
        }
        o.put("data", data.toString());
        ArrayNode m = o.putArray("mix");
        for (Mixture.Part p : parts) {
            m.addObject().put("file", p.file().toString()).put("fraction", p.fraction());
        }
        o.put("train_examples", nTrain);
        o.put("validation_examples", nVal);
        o.put("seed", trainOptions.seed);
        monitorOptions.record(o);
        o.put("command", "personascope finetune");
        AtomicFiles.writeJson(out.resolve("run.json"), o);
    }
}
