package dev.personascope.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.util.FileTrees;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A resumable training state in {@code OUT/checkpoint/}: trainable parameters, optimizer moments and
 * {@code state.json} (step, data position, config). The folder is written beside the old one and
 * swapped in by renames, so a crash leaves either the old or the new checkpoint whole.
 */
public final class Checkpoint {

    /** Position in training: optimizer steps done, and the next micro-batch (epoch, index in epoch). */
    public record Position(int step, int epoch, int batchIndex) {
    }

    /** {@code state.json}: where training stands and the configuration it runs with (as {@link TrainConfig} writes it). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record State(int step, int epoch, int batchIndex, long optimizerStep, JsonNode config) {
        static State read(Path file) {
            State s = Json.read(file, State.class);
            if (s.config() == null || !s.config().isObject()) {
                throw new IllegalArgumentException(file + ": no 'config' object");
            }
            return s;
        }

        TrainConfig trainConfig() {
            return TrainConfig.fromJson(config.toString());
        }
    }

    private Checkpoint() {
    }

    public static Path dir(Path out) {
        return out.resolve("checkpoint");
    }

    public static void save(Path out, Position pos, TrainConfig cfg, List<HostTensor> params, List<HostTensor> optimizer, long optimizerStep) {
        Path target = dir(out);
        Path tmp = out.resolve("checkpoint.tmp");
        Path old = out.resolve("checkpoint.old");
        FileTrees.delete(tmp);
        SafeTensors.write(tmp.resolve("trainable.safetensors"), params, Map.of());
        SafeTensors.write(tmp.resolve("optimizer.safetensors"), optimizer, Map.of());
        try {
            Json.write(tmp.resolve("state.json"), new State(pos.step(), pos.epoch(), pos.batchIndex(), optimizerStep,
                    Json.MAPPER.readTree(cfg.toJson())));
            FileTrees.delete(old);
            if (Files.exists(target)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            FileTrees.delete(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + out + ": " + e.getMessage(), e);
        }
    }

    /** The saved state: position, config, parameters and optimizer moments. */
    public record Loaded(Position position, TrainConfig config, long optimizerStep,
                         Map<String, HostTensor> params, Map<String, HostTensor> optimizer) {
    }

    /** The folder holding the latest complete checkpoint, or null when there is none. */
    private static Path saved(Path out) {
        Path d = dir(out);
        if (!Files.exists(d.resolve("state.json")) && Files.exists(out.resolve("checkpoint.old/state.json"))) {
            d = out.resolve("checkpoint.old"); // died between the two renames
        }
        return Files.exists(d.resolve("state.json")) ? d : null;
    }

    /** The optimizer step of the latest checkpoint (0 when there is none), without loading its tensors. */
    public static int savedStep(Path out) {
        Path d = saved(out);
        if (d == null) {
            return 0;
        }
        return State.read(d.resolve("state.json")).step();
    }

    /** The configuration the latest checkpoint was made with, without loading its tensors; null when there is none. */
    public static TrainConfig savedConfig(Path out) {
        Path d = saved(out);
        if (d == null) {
            return null;
        }
        return State.read(d.resolve("state.json")).trainConfig();
    }

    public static Loaded load(Path out) {
        Path d = saved(out);
        if (d == null) {
            throw new IllegalArgumentException(out + ": no checkpoint to resume from (checkpoint/state.json)");
        }
        State s = State.read(d.resolve("state.json"));
        return new Loaded(new Position(s.step(), s.epoch(), s.batchIndex()), s.trainConfig(), s.optimizerStep(),
                SafeTensors.load(d.resolve("trainable.safetensors")), SafeTensors.load(d.resolve("optimizer.safetensors")));
    }
}
