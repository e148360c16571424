package dev.personascope.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonLines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONL training log: one object per logged step (step, loss, lr, grad_norm, tokens_per_s, ...).
 * A process killed while appending can leave a half-written last line; readers leave it out (and
 * {@link #truncateAfter} drops it), while a damaged line before the last is an error naming the file,
 * the line and the cause.
 */
public final class TrainLog {
    /** Its name in a run's output folder. */
    public static final String FILE = "train_log.jsonl";
    private final Path file;

    public TrainLog(Path file) {
        this.file = file;
    }

    /**
     * One line: a training step's (epoch, loss, lr, grad_norm, tokens, tokens_per_s) or a validation's (val_loss);
     * the fields of the other kind are absent.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(int step, Integer epoch, Double loss, Double lr, Double gradNorm, Long tokens, Double tokensPerS,
                        Double valLoss) {
        public static Entry training(int step, int epoch, double loss, double lr, double gradNorm, long tokens,
                                     double tokensPerS) {
            return new Entry(step, epoch, loss, lr, gradNorm, tokens, tokensPerS, null);
        }

        public static Entry validation(int step, double valLoss) {
            return new Entry(step, null, null, null, null, null, null, valLoss);
        }
    }

    public void append(Entry line) {
        try {
            Files.writeString(file, Json.line(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + RunFolder.describe(e), e);
        }
    }

    /**
     * Drops lines after {@code step} (written by a run that died after its last checkpoint), and a torn
     * last line, rewriting the file atomically; the complete lines kept are unchanged.
     */
    public void truncateAfter(int step) {
        if (!Files.exists(file)) {
            return;
        }
        Parsed p = parse(file);
        StringBuilder kept = new StringBuilder();
        for (Line l : p.lines()) {
            if (l.json().get("step").asInt() <= step) {
                kept.append(l.text()).append('\n');
            }
        }
        if (p.torn() != null) {
            System.err.println("warning: " + p.torn());
        }
        AtomicFiles.writeString(file, kept.toString());
    }

    /** The log's lines, without a torn last line. */
    public static List<Entry> read(Path file) {
        return parse(file).lines().stream().map(l -> Json.fromTree(l.json(), Entry.class, file + ":" + l.number())).toList();
    }

    /** A complete line: its 1-based number, its text and its object. */
    private record Line(int number, String text, JsonNode json) {
    }

    /** The complete lines, and what was left out as torn (null when nothing was). */
    private record Parsed(List<Line> lines, String torn) {
    }

    private static Parsed parse(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + RunFolder.describe(e), e);
        }
        List<Line> lines = new ArrayList<>();
        String torn = null;
        int start = 0;
        int number = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            number++;
            String problem = null;
            String text = null;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
            } catch (CharacterCodingException e) {
                problem = "not valid UTF-8";
            }
            if (text != null && text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            JsonNode json = null;
            if (problem == null && !text.isBlank()) {
                String where = file + ":" + number;
                try {
                    json = JsonLines.parse(text, where);
                    if (!json.isObject() || !json.path("step").isIntegralNumber() || !json.path("step").canConvertToInt()) {
                        problem = "expected a JSON object with an integer 'step'";
                    }
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage(); // "FILE:LINE: cause", as JsonLines words it
                    problem = (m.startsWith(where + ": ") ? m.substring(where.length() + 2) : m)
                            .replaceAll("\\s*\\(start marker at \\[[^\\]]*\\]\\)", ""); // Jackson's source dump
                }
            }
            if (problem != null) {
                if (!blank(bytes, end)) {
                    throw new IllegalArgumentException(file + ":" + number + ": " + problem);
                }
                torn = file + ":" + number + ": dropped a torn last line, left by a process stopped mid-write ("
                        + problem + ")";
            } else if (json != null) {
                lines.add(new Line(number, text, json));
            }
            start = end + 1;
        }
        return new Parsed(lines, torn);
    }

    /** Whether nothing but whitespace follows {@code from}. */
    private static boolean blank(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != '\n' && bytes[i] != '\r' && bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
