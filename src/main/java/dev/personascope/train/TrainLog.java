package dev.personascope.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** The JSONL training log: one object per logged step (step, loss, lr, grad_norm, tokens_per_s, ...). */
public final class TrainLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public TrainLog(Path file) {
        this.file = file;
    }

    public ObjectNode line(int step) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step);
        return o;
    }

    public void append(ObjectNode line) {
        try {
            Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Drops lines after {@code step} (written by a run that died after its last checkpoint). */
    public void truncateAfter(int step) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                JsonNode n = JSON.readTree(l);
                if (n.path("step").asInt() <= step) {
                    kept.add(l);
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }

    public static List<JsonNode> read(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                out.add(JSON.readTree(l));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
