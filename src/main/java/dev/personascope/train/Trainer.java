package dev.personascope.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.data.ChatExample;
import dev.personascope.lora.Lora;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.HostTensor;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.ProgressBar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning on chat data, with LoRA adapters or all weights: AdamW, warm-up and decay,
 * gradient accumulation (the loss of a step is the mean over all its target tokens, exactly as one
 * big batch), global-norm clipping, length-bucketed batches, checkpoints with exact resume, a JSONL
 * log and callbacks.
 */
public final class Trainer {
    private final LanguageModel lm;
    private final TrainConfig cfg;
    private final List<ChatExample> train;
    private final List<ChatExample> validation;
    private final Path out;
    private final List<TrainingCallback> callbacks = new ArrayList<>();
    private volatile boolean stopRequested;
    private boolean quiet;

    /** What a run did. */
    public record Result(int steps, double lastLoss, boolean interrupted, boolean stoppedByCallback) {
    }

    public Trainer(LanguageModel lm, TrainConfig cfg, List<ChatExample> train, List<ChatExample> validation, Path out) {
        cfg.validate();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        this.lm = lm;
        this.cfg = cfg;
        this.train = train;
        this.validation = validation;
        this.out = out;
    }

    public Trainer addCallback(TrainingCallback cb) {
        callbacks.add(cb);
        return this;
    }

    public Trainer quiet(boolean q) {
        this.quiet = q;
        return this;
    }

    /** Asks a running {@link #run} to save a checkpoint after the current step and return. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains, resuming from OUT/checkpoint when asked; returns when done, interrupted or stopped. */
    public Result run(boolean resume) {
        DecoderModel model = lm.model();
        createDirs();
        Checkpoint.Loaded ckpt = resume ? Checkpoint.load(out) : null;
        if (ckpt != null && !sameTraining(ckpt.config(), cfg)) {
            throw new IllegalArgumentException(out + ": the checkpoint was made with a different configuration;"
                    + " resume with the same options (saved in checkpoint/state.json)");
        }
        Map<String, NDArray> params = SftStep.trainable(model, cfg);
        ChatEncoder encoder = new ChatEncoder(lm, cfg.maxLength);
        List<ChatEncoder.Encoded> data = encode(encoder, train);
        List<ChatEncoder.Encoded> val = encode(encoder, validation);
        int[] lengths = data.stream().mapToInt(e -> e.ids().length).toArray();
        int batchesPerEpoch = (data.size() + cfg.batch - 1) / cfg.batch;
        int stepsPerEpoch = Math.max(1, batchesPerEpoch / cfg.gradAccum);
        int totalSteps = cfg.steps > 0 ? cfg.steps : cfg.epochs * stepsPerEpoch;
        LrSchedule schedule = new LrSchedule(cfg.schedule, cfg.lr, cfg.warmupSteps, totalSteps);
        TrainLog log = new TrainLog(out.resolve("train_log.jsonl"));
        AtomicFiles.writeString(out.resolve("training_config.json"), cfg.toJson());

        try (AdamW opt = new AdamW(model.manager(), cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay)) {
            Checkpoint.Position pos = new Checkpoint.Position(0, 0, 0);
            if (ckpt != null) {
                restore(params, ckpt, opt);
                pos = ckpt.position();
                log.truncateAfter(pos.step());
            } else if (Files.exists(out.resolve("train_log.jsonl"))) {
                log.truncateAfter(-1);
            }
            int epoch = pos.epoch();
            int batchIndex = pos.batchIndex();
            List<int[]> batches = Batcher.epoch(lengths, cfg.batch, cfg.seed, epoch);
            SftStep sft = new SftStep(model, params, opt, cfg.clip, cfg.seed);
            double lastLoss = Double.NaN;
            boolean byCallback = false;
            int step = pos.step();
            try (ProgressBar bar = quiet ? null : new ProgressBar("finetune", totalSteps, "steps")) {
                if (bar != null) {
                    bar.set(step);
                }
                while (step < totalSteps && !stopRequested) {
                    // the micro-batches of this optimizer step
                    List<List<ChatEncoder.Encoded>> group = new ArrayList<>();
                    for (int i = 0; i < cfg.gradAccum; i++) {
                        if (batchIndex >= batches.size()) {
                            epoch++;
                            batchIndex = 0;
                            batches = Batcher.epoch(lengths, cfg.batch, cfg.seed, epoch);
                        }
                        List<ChatEncoder.Encoded> mb = new ArrayList<>();
                        for (int idx : batches.get(batchIndex++)) {
                            mb.add(data.get(idx));
                        }
                        group.add(mb);
                    }
                    step++;
                    long t0 = System.nanoTime();
                    double lr = schedule.at(step);
                    SftStep.Stats stats = sft.run(group, lr, step);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    lastLoss = stats.loss();
                    ObjectNode line = log.line(step);
                    line.put("epoch", epoch);
                    line.put("loss", stats.loss());
                    line.put("lr", lr);
                    line.put("grad_norm", stats.gradNorm());
                    line.put("tokens", stats.tokens());
                    line.put("tokens_per_s", stats.tokens() / secs);
                    log.append(line);
                    if (bar != null) {
                        bar.status(String.format(java.util.Locale.ROOT, "loss %.4f  %.0f tok/s", stats.loss(), stats.tokens() / secs));
                        bar.set(step);
                    }
                    if (cfg.evalEvery > 0 && !val.isEmpty() && step % cfg.evalEvery == 0) {
                        ObjectNode ev = log.line(step);
                        ev.put("val_loss", evaluate(val));
                        log.append(ev);
                    }
                    if (runCallbacks(step, totalSteps, epoch, lastLoss, lr)) {
                        byCallback = true;
                        break;
                    }
                    if (cfg.checkpointEvery > 0 && step % cfg.checkpointEvery == 0 && step < totalSteps) {
                        saveCheckpoint(params, opt, new Checkpoint.Position(step, epoch, batchIndex));
                    }
                }
            }
            boolean interrupted = stopRequested && step < totalSteps;
            if (interrupted || byCallback) {
                saveCheckpoint(params, opt, new Checkpoint.Position(step, epoch, batchIndex));
            }
            if (!interrupted) {
                if (!val.isEmpty()) {
                    ObjectNode ev = log.line(step);
                    ev.put("val_loss", evaluate(val));
                    log.append(ev);
                }
                saveResult();
            }
            return new Result(step, lastLoss, interrupted, byCallback);
        } finally {
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
            Lora.setTraining(model, false);
        }
    }

    /** Mean target-token loss over a dataset, without gradients. */
    public double evaluate(List<ChatEncoder.Encoded> data) {
        DecoderModel model = lm.model();
        double[] sum = {0};
        int[] n = {0};
        Autograd.noGrad(() -> {
            for (int i = 0; i < data.size(); i += cfg.batch) {
                try (NDManager scope = model.manager().newSubManager()) {
                    LossFunctions.Sum s = LossFunctions.targetNll(model, scope,
                            data.subList(i, Math.min(data.size(), i + cfg.batch)), Hooks.NONE);
                    sum[0] += s.loss().getFloat();
                    n[0] += s.targets();
                }
            }
        });
        return sum[0] / Math.max(1, n[0]);
    }

    private boolean runCallbacks(int step, int total, int epoch, double loss, double lr) {
        boolean stop = false;
        for (TrainingCallback cb : callbacks) {
            if (cb.every() > 0 && step % cb.every() == 0) {
                boolean[] s = {false};
                Autograd.noGrad(() -> s[0] = cb.onStep(new TrainingProgress(step, total, epoch, loss, lr, lm)));
                stop |= s[0];
            }
        }
        return stop;
    }

    /** Whether two configs train the same way (run length and checkpoint/eval cadence may differ). */
    static boolean sameTraining(TrainConfig a, TrainConfig b) {
        TrainConfig x = TrainConfig.fromJson(a.toJson());
        TrainConfig y = TrainConfig.fromJson(b.toJson());
        for (TrainConfig c : List.of(x, y)) {
            c.steps = 0;
            c.epochs = 1;
            c.checkpointEvery = 0;
            c.evalEvery = 0;
        }
        return x.toJson().equals(y.toJson());
    }

    private void restore(Map<String, NDArray> params, Checkpoint.Loaded ckpt, AdamW opt) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            HostTensor t = ckpt.params().get(e.getKey());
            if (t == null || t.data().length != e.getValue().size()) {
                throw new IllegalArgumentException(out + ": checkpoint lacks or misshapes parameter '" + e.getKey() + "'");
            }
            Autograd.noGrad(() -> e.getValue().set(t.data()));
        }
        opt.restore(ckpt.optimizer(), ckpt.optimizerStep());
    }

    private void saveCheckpoint(Map<String, NDArray> params, AdamW opt, Checkpoint.Position pos) {
        List<HostTensor> host = new ArrayList<>();
        params.forEach((k, v) -> host.add(new HostTensor(k, v.getShape().getShape(), v.toFloatArray())));
        Checkpoint.save(out, pos, cfg, host, opt.state(), opt.stepCount());
    }

    /** The trained adapter (PEFT folder) or the full model (HF folder) in OUT. */
    private void saveResult() {
        if (cfg.isLora()) {
            PeftAdapter.save(lm.model(), cfg.loraConfig(), out, String.valueOf(lm.source()));
        } else {
            ModelSaver.save(lm, out, cfg.saveDtype != null ? dev.personascope.model.io.DType.fromTorchName(cfg.saveDtype)
                    : ModelSaver.sourceDtype(lm.config()));
        }
    }

    private List<ChatEncoder.Encoded> encode(ChatEncoder encoder, List<ChatExample> examples) {
        List<ChatEncoder.Encoded> out = new ArrayList<>();
        for (ChatExample ex : examples) {
            out.add(encoder.encode(ex));
        }
        return out;
    }

    private void createDirs() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
    }
}
