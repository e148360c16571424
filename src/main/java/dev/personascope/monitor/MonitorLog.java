package dev.personascope.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonLines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * monitor.jsonl: one line per measurement, {@code {"step":..,"values":{name:v},"z":{name:z|null},
 * "alarms":[{"direction","value","z","message"}]}}, appended and flushed line by line, so a crash
 * loses at most the line being written.
 */
final class MonitorLog {
        private final Path file;

    MonitorLog(Path file) {
        this.file = file;
    }

    /** Keeps only the lines of steps <= {@code step} (all lines go for a negative step); returns them. */
    List<JsonNode> keepUpTo(int step) {
        List<JsonNode> kept = new ArrayList<>();
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            List<String> lines = new ArrayList<>();
            if (step >= 0 && Files.exists(file)) {
                // the half line of a crash goes; any other bad line is an error, before anything is rewritten
                for (JsonLines.Line l : JsonLines.read(file, JsonLines.Torn.DROP).lines()) {
                    if (l.json().path("step").asInt() <= step) {
                        kept.add(l.json());
                        lines.add(l.text());
                    }
                }
            }
            AtomicFiles.writeString(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
        return kept;
    }

    void append(Measurement m, List<Alarm> fired) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("step", m.step());
        putAll(o.putObject("values"), m.values());
        putAll(o.putObject("z"), m.z());
        ArrayNode a = o.putArray("alarms");
        for (Alarm al : fired) {
            ObjectNode x = a.addObject();
            x.put("direction", al.direction());
            number(x, "value", al.value());
            number(x, "z", al.z());
            x.put("message", al.message());
        }
        try {
            // each call opens, writes and closes: the line is on disk (in the OS) when this returns
            Files.writeString(file, Json.MAPPER.writeValueAsString(o) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void putAll(ObjectNode o, Map<String, Double> values) {
        values.forEach((k, v) -> number(o, k, v));
    }

    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name); // JSON has no NaN
        }
    }
}
