package dev.personascope.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.util.AtomicFiles;
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
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("step", pos.step());
        s.put("epoch", pos.epoch());
        s.put("batch_index", pos.batchIndex());
        s.put("optimizer_step", optimizerStep);
        try {
            s.set("config", Json.MAPPER.readTree(cfg.toJson()));
            AtomicFiles.writeString(tmp.resolve("state.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(s));
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
        try {
            return Json.MAPPER.readTree(d.resolve("state.json").toFile()).path("step").asInt();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint in " + d + ": " + e.getMessage(), e);
        }
    }

    /** The configuration the latest checkpoint was made with, without loading its tensors; null when there is none. */
    public static TrainConfig savedConfig(Path out) {
        Path d = saved(out);
        if (d == null) {
            return null;
        }
        try {
            JsonNode config = Json.MAPPER.readTree(d.resolve("state.json").toFile()).get("config");
            if (config == null || !config.isObject()) {
                throw new IllegalArgumentException(d.resolve("state.json") + ": no 'config' object");
            }
            return TrainConfig.fromJson(config.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint in " + d + ": " + e.getMessage(), e);
        }
    }

    public static Loaded load(Path out) {
        Path d = saved(out);
        if (d == null) {
            throw new IllegalArgumentException(out + ": no checkpoint to resume from (checkpoint/state.json)");
        }
        try {
            JsonNode s = Json.MAPPER.readTree(d.resolve("state.json").toFile());
            TrainConfig cfg = TrainConfig.fromJson(s.get("config").toString());
            return new Loaded(new Position(s.get("step").asInt(), s.get("epoch").asInt(), s.get("batch_index").asInt()),
                    cfg, s.get("optimizer_step").asLong(), SafeTensors.load(d.resolve("trainable.safetensors")),
                    SafeTensors.load(d.resolve("optimizer.safetensors")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint in " + d + ": " + e.getMessage(), e);
        }
    }
}
