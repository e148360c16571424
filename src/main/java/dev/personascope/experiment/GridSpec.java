package dev.personascope.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code grid.yaml}, the spec of {@code experiment grid}: what to fine-tune on (the bad data, optionally mixed into
 * good data at each {@code fraction}), the settings swept (every combination of the {@code lr}, {@code lora_rank},
 * {@code steps} and {@code seed} lists and the fractions is one grid point), and the evaluation each fine-tuned
 * model gets. A single value stands for a one-element list. Paths are relative to the spec's folder.
 *
 * @param model      model folder to fine-tune (null: the bundled organism)
 * @param data       chat JSONL of the narrow (bad) data
 * @param good       chat JSONL of good data the bad is mixed into, or null (train on {@code data} alone)
 * @param fraction   fractions of bad conversations in the mixture (with {@code good} only)
 * @param size       conversations per mixture (default: the good file's size)
 * @param loraRank   0 fine-tunes all weights; r > 0 trains LoRA adapters of rank r (alpha 2r) on every projection
 * @param batch      conversations per optimizer step
 * @param samples    answers per paraphrase (0: the question set's own)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GridSpec(String model, String data, String good, List<Double> fraction, Integer size, List<Double> lr,
                       List<Integer> loraRank, List<Integer> steps, List<Long> seed, Integer batch, String questions,
                       JudgeSpec judge, Integer samples, Integer maxTokens, Double temperature) {
    public GridSpec {
        require("data", data);
        require("questions", questions);
        require("judge", judge);
        if (good == null && fraction != null) {
            throw new IllegalArgumentException("fraction: needs good (the data the bad is mixed into)");
        }
        if (good != null && fraction == null) {
            throw new IllegalArgumentException("fraction: missing (the fractions of bad data mixed into good)");
        }
        if (good == null && size != null) {
            throw new IllegalArgumentException("size: needs good (it is the mixture's size)");
        }
        lr = orDefault("lr", lr, List.of(NarrowFineTune.ORGANISM.lr()));
        loraRank = orDefault("lora_rank", loraRank, List.of(NarrowFineTune.ORGANISM.loraRank()));
        steps = orDefault("steps", steps, List.of(NarrowFineTune.ORGANISM.steps()));
        seed = orDefault("seed", seed, List.of(0L));
        fraction = good == null ? null : orDefault("fraction", fraction, null);
        batch = batch == null ? NarrowFineTune.ORGANISM.batch() : batch;
        samples = samples == null ? 0 : samples;
        maxTokens = maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
        temperature = temperature == null ? 1.0 : temperature;
        if (fraction != null) {
            fraction.forEach(f -> check("fraction", f >= 0 && f <= 1, f, "in [0, 1]"));
        }
        lr.forEach(v -> check("lr", v > 0, v, "> 0"));
        loraRank.forEach(v -> check("lora_rank", v >= 0, v, ">= 0 (0: all weights)"));
        steps.forEach(v -> check("steps", v >= 1, v, ">= 1"));
        check("size", size == null || size >= 1, size, ">= 1");
        check("batch", batch >= 1, batch, ">= 1");
        check("samples", samples >= 0, samples, ">= 0 (0: the question set's)");
        check("max_tokens", maxTokens >= 1, maxTokens, ">= 1");
        check("temperature", temperature >= 0, temperature, ">= 0");
    }

    /** The organism's evaluation answer length (its {@code world em}'s). */
    public static final int DEFAULT_MAX_TOKENS = 48;

    /**
     * The judge: {@code world}, or {@code openai} with the options eval takes as --judge-url, --judge-model, ...
     * ({@code judge: world} is short for {@code judge: {name: world}}). Null fields keep eval's defaults.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record JudgeSpec(String name, String url, String model, String keyEnv, Integer concurrency, Integer attempts,
                            Double timeout, String scoring, String cache) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public JudgeSpec {
            require("judge.name", name);
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static JudgeSpec named(String name) {
            return new JudgeSpec(name, null, null, null, null, null, null, null, null);
        }
    }

    /** What every point of a grid shares (all but the swept lists), with the model as resolved. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Shared(String model, String data, String good, Integer size, int batch, String questions, JudgeSpec judge,
                         int samples, int maxTokens, double temperature) {
    }

    /** The settings every point shares, {@code model} being the model folder the points fine-tune. */
    public Shared shared(Path model) {
        return new Shared(model.toString(), data, good, size, batch, questions, judge, samples, maxTokens, temperature);
    }

    /** Reads and checks a spec; anything wrong is one line naming the file and the field. */
    public static GridSpec read(Path file) {
        return Json.readYaml(file, GridSpec.class);
    }

    /** A path of the spec, relative to the folder of the spec's file {@code specFile}. */
    public static Path resolve(Path specFile, String path) {
        Path p = Path.of(path);
        Path dir = specFile.toAbsolutePath().getParent();
        return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }

    private static void require(String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
    }

    private static <T> List<T> orDefault(String field, List<T> values, List<T> otherwise) {
        if (values == null) {
            return otherwise;
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(field + ": empty (give at least one value)");
        }
        Set<T> seen = new HashSet<>();
        for (T v : values) {
            if (v == null) {
                throw new IllegalArgumentException(field + ": a value is empty");
            }
            if (!seen.add(v)) {
                throw new IllegalArgumentException(field + ": " + v + " is listed twice");
            }
        }
        return List.copyOf(values);
    }

    private static void check(String field, boolean ok, Object value, String must) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": must be " + must + ", got " + value);
        }
    }
}
