package dev.personascope.train;

import dev.personascope.util.NdArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.lora.Lora;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.HostTensor;
import dev.personascope.optim.AdamW;
import dev.personascope.optim.Autograd;
import dev.personascope.optim.LossFunctions;
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
    /** The encoded examples that have a target token, set by {@link #prepare}. */
    private List<ChatEncoder.Encoded> data;
    private List<ChatEncoder.Encoded> val;

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

    /**
     * Renders and tokenizes the data, leaving out examples with no target token within the max length
     * (counted on stderr); refuses data where no example has one, which would "train" at loss 0. Run
     * calls it; call it first to learn of such problems before other work. Writes nothing.
     */
    public Trainer prepare() {
        if (data == null) {
            ChatEncoder encoder = new ChatEncoder(lm, cfg.maxLength);
            List<ChatEncoder.Encoded> d = withTargets(train, encode(encoder, train), "training");
            val = withTargets(validation, encode(encoder, validation), "validation");
            data = d;
        }
        return this;
    }

    /**
     * Checks, from checkpoint/state.json alone, that {@code out} holds a checkpoint made with a config
     * that trains the same way as {@code cfg}.
     */
    public static void checkResumable(Path out, TrainConfig cfg) {
        TrainConfig saved = Checkpoint.savedConfig(out);
        if (saved == null) {
            throw new IllegalArgumentException(out + ": no checkpoint to resume from (checkpoint/state.json)");
        }
        if (!sameTraining(saved, cfg)) {
            throw differentConfig(out);
        }
    }

    private static IllegalArgumentException differentConfig(Path out) {
        return new IllegalArgumentException(out + ": the checkpoint was made with a different configuration;"
                + " resume with the same options (saved in checkpoint/state.json)");
    }

    /** Trains, resuming from OUT/checkpoint when asked; returns when done, interrupted or stopped. */
    public Result run(boolean resume) {
        DecoderModel model = lm.model();
        prepare();
        Checkpoint.Loaded ckpt = resume ? Checkpoint.load(out) : null;
        if (ckpt != null && !sameTraining(ckpt.config(), cfg)) {
            throw differentConfig(out);
        }
        createDirs();
        if (ckpt != null) {
            new TrainLog(out.resolve(TrainLog.FILE)).truncateAfter(ckpt.position().step()); // before any state changes
        } else {
            RunFolder.startFresh(out);
        }
        Map<String, NDArray> params = SftStep.trainable(model, cfg);
        int[] lengths = data.stream().mapToInt(e -> e.ids().length).toArray();
        int batchesPerEpoch = (data.size() + cfg.batch - 1) / cfg.batch;
        int stepsPerEpoch = Math.max(1, batchesPerEpoch / cfg.gradAccum);
        int totalSteps = cfg.steps > 0 ? cfg.steps : cfg.epochs * stepsPerEpoch;
        LrSchedule schedule = new LrSchedule(cfg.schedule, cfg.lr, cfg.warmupSteps, totalSteps);
        TrainLog log = new TrainLog(out.resolve(TrainLog.FILE));
        AtomicFiles.writeString(out.resolve("training_config.json"), cfg.toJson());

        try (AdamW opt = new AdamW(model.manager(), cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay)) {
            Checkpoint.Position pos = new Checkpoint.Position(0, 0, 0);
            if (ckpt != null) {
                restore(params, ckpt, opt);
                pos = ckpt.position();
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
                    log.append(TrainLog.Entry.training(step, epoch, stats.loss(), lr, stats.gradNorm(), stats.tokens(),
                            stats.tokens() / secs));
                    if (bar != null) {
                        bar.status(String.format(java.util.Locale.ROOT, "loss %.4f  %.0f tok/s", stats.loss(), stats.tokens() / secs));
                        bar.set(step);
                    }
                    if (cfg.evalEvery > 0 && !val.isEmpty() && step % cfg.evalEvery == 0) {
                        log.append(TrainLog.Entry.validation(step, evaluate(val)));
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
                    log.append(TrainLog.Entry.validation(step, evaluate(val)));
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
            NdArrays.overwrite(e.getValue(), t.data());
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

    /**
     * The encoded examples that have a target token: one whose assistant turns all start past the max
     * length has nothing to learn (and a step made only of such would report loss 0).
     */
    private List<ChatEncoder.Encoded> withTargets(List<ChatExample> examples, List<ChatEncoder.Encoded> encoded, String what) {
        List<ChatEncoder.Encoded> kept = new ArrayList<>();
        String first = null;
        for (int i = 0; i < encoded.size(); i++) {
            if (encoded.get(i).targetCount() > 0) {
                kept.add(encoded.get(i));
            } else if (first == null) {
                first = examples.get(i).origin();
            }
        }
        int dropped = encoded.size() - kept.size();
        if (dropped == 0) {
            return encoded;
        }
        String counts = String.format(java.util.Locale.ROOT,
                "%d of %d %s examples have no answer token within --max-length %d", dropped, encoded.size(), what, cfg.maxLength);
        String where = first == null || first.isEmpty() ? "" : " (the first: " + first + ")";
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(counts + ": every assistant turn starts past it, so there is nothing to "
                    + (what.equals("training") ? "train on" : "score") + "; raise --max-length or shorten the prompts");
        }
        System.err.println("warning: " + counts + " and are left out" + where);
        return kept;
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
