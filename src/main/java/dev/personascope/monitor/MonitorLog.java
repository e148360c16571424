package dev.personascope.monitor;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * monitor.jsonl: one {@link Line} per measurement, {@code {"step":..,"values":{name:v},"z":{name:z|null},
 * "alarms":[{"direction","value","z","message"}]}} (a number that is not finite is null), appended and flushed
 * line by line, so a crash loses at most the line being written.
 */
public final class MonitorLog {
    /** One measurement as logged. */
    public record Line(int step, Map<String, Double> values, Map<String, Double> z, List<LoggedAlarm> alarms) {
        public Line {
            values = values == null ? Map.of() : values;
            z = z == null ? Map.of() : z;
            alarms = alarms == null ? List.of() : alarms;
        }

        static Line of(Measurement m, List<Alarm> fired) {
            return new Line(m.step(), finite(m.values()), finite(m.z()), fired.stream()
                    .map(a -> new LoggedAlarm(a.direction(), finite(a.value()), finite(a.z()), a.message())).toList());
        }
    }

    /** An alarm fired at the line's step. */
    public record LoggedAlarm(String direction, Double value, Double z, String message) {
    }

    private final Path file;

    MonitorLog(Path file) {
        this.file = file;
    }

    /** The lines of a monitor log (a torn last line, the half line of a crash, left out). */
    public static List<Line> read(Path file) {
        List<Line> lines = new ArrayList<>();
        for (JsonLines.Line l : JsonLines.read(file, JsonLines.Torn.DROP).lines()) {
            lines.add(Json.fromTree(l.json(), Line.class, file + ":" + l.number()));
        }
        return lines;
    }

    /** Keeps only the lines of steps <= {@code step} (all lines go for a negative step); returns them. */
    List<Line> keepUpTo(int step) {
        List<Line> kept = new ArrayList<>();
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            List<String> lines = new ArrayList<>();
            if (step >= 0 && Files.exists(file)) {
                // the half line of a crash goes; any other bad line is an error, before anything is rewritten
                for (JsonLines.Line l : JsonLines.read(file, JsonLines.Torn.DROP).lines()) {
                    Line line = Json.fromTree(l.json(), Line.class, file + ":" + l.number());
                    if (line.step() <= step) {
                        kept.add(line);
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
        try {
            // each call opens, writes and closes: the line is on disk (in the OS) when this returns
            Files.writeString(file, Json.line(Line.of(m, fired)) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> finite(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, finite(v)));
        return out;
    }

    /** JSON has no NaN: a value that is not finite is written as null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
