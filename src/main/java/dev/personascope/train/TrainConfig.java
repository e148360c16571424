package dev.personascope.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.personascope.lora.LoraConfig;
import dev.personascope.util.EnumNames;
import dev.personascope.util.Json;

import java.io.IOException;
import java.util.List;

/** Everything that decides a fine-tuning run; saved next to its outputs. Public fields are its JSON. */
public final class TrainConfig {
    /** What a run trains: LoRA adapters or all weights; written "lora" or "full". */
    public enum Mode {
        LORA, FULL;

        @JsonValue
        @Override
        public String toString() {
            return EnumNames.of(this);
        }

        @JsonCreator
        public static Mode parse(String text) {
            return EnumNames.parse(Mode.class, text, "mode");
        }
    }

    public Mode mode = Mode.LORA;
    public int loraRank = 8;
    public double loraAlpha = defaultLoraAlpha(loraRank);
    public double loraDropout = 0.0;
    /** Module names, or "all-linear" (every projection of every block, whatever the family calls them). */
    public List<String> loraTargets = List.of("all-linear");
    /** null = every layer. */
    public List<Integer> loraLayers;
    public boolean rslora;
    /** Weight-decomposed LoRA (DoRA, Liu et al. 2024), as PEFT's use_dora. */
    public boolean dora;
    /** dtype of a fully fine-tuned model's saved weights (f32, bf16, f16); null = the source model's. */
    public String saveDtype;
    public double lr = defaultLr(mode);
    public LrSchedule.Kind schedule = LrSchedule.Kind.LINEAR;
    public int warmupSteps = 0;
    public int epochs = 1;
    /** Optimizer steps; 0 = as many as the epochs take. */
    public int steps = 0;
    public int batch = 8;
    public int gradAccum = 1;
    public double weightDecay = 0.0;
    public double clip = 1.0;
    public double beta1 = 0.9;
    public double beta2 = 0.999;
    public double eps = 1e-8;
    public long seed = 0;
    public int maxLength = 1024;
    public int checkpointEvery = 50;
    public double valFraction = 0.0;
    public int evalEvery = 0;

    /** The peak learning rate when none is given: 1e-4 for LoRA, 1e-5 for all weights. */
    public static double defaultLr(Mode mode) {
        return mode == Mode.FULL ? 1e-5 : 1e-4;
    }

    /** LoRA's alpha when none is given: twice the rank. */
    public static double defaultLoraAlpha(int rank) {
        return 2.0 * rank;
    }

    /** All weights, a fixed number of steps, no checkpoints: the fine-tunes inside experiments. */
    public static TrainConfig fullSteps(double lr, int steps, int batch, long seed) {
        TrainConfig c = new TrainConfig();
        c.mode = Mode.FULL;
        c.lr = lr;
        c.steps = steps;
        c.batch = batch;
        c.seed = seed;
        c.checkpointEvery = 0;
        return c;
    }

    /**
     * The fine-tunes inside experiments: a fixed number of steps, no checkpoints; all weights at LoRA rank 0, else LoRA
     * of that rank on every projection (alpha twice the rank).
     */
    public static TrainConfig steps(double lr, int steps, int batch, long seed, int loraRank) {
        TrainConfig c = fullSteps(lr, steps, batch, seed);
        if (loraRank > 0) {
            c.mode = Mode.LORA;
            c.loraRank = loraRank;
            c.loraAlpha = defaultLoraAlpha(loraRank);
        }
        return c;
    }

    @JsonIgnore
    public boolean isLora() {
        return mode == Mode.LORA;
    }

    @JsonIgnore
    public LoraConfig loraConfig() {
        return new LoraConfig(loraRank, loraAlpha, loraDropout, loraTargets, loraLayers, rslora).withDora(dora);
    }

    public void validate() {
        if (mode == null || schedule == null) {
            throw new IllegalArgumentException("mode and schedule must be given");
        }
        if (isLora()) {
            loraConfig();
        }
        if (saveDtype != null) {
            dev.personascope.model.io.DType.fromTorchName(saveDtype);
        }
        if (batch < 1 || gradAccum < 1 || epochs < 1 || steps < 0 || maxLength < 2) {
            throw new IllegalArgumentException("batch, grad-accum and epochs must be >= 1, steps >= 0, max-length >= 2");
        }
        if (!(lr > 0) || clip < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("lr must be > 0, clip and weight decay >= 0");
        }
    }

    public String toJson() {
        try {
            return Json.PRETTY.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainConfig fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, TrainConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("training config: " + dev.personascope.util.JsonErrors.brief(e));
        }
    }
}
