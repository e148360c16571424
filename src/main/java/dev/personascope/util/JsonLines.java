package dev.personascope.util;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * JSON-lines files read one way: strictly UTF-8, one JSON value per line, blank lines skipped, and every
 * problem reported as one line naming the file and line ({@code FILE:LINE: ...}): invalid UTF-8 (with the
 * byte), invalid JSON, two values on one line, a missing file.
 *
 * <p>Logs appended line by line ({@code monitor.jsonl}, {@code train_log.jsonl}) may end in the half-written
 * line of a crash: with {@link Torn#DROP} a last line that has no newline and does not parse is left out
 * (and reported through {@link Result#torn()}); anywhere else a bad line is an error.
 */
public final class JsonLines {
    /** The longest line read (a chat example is kilobytes): a file without newlines is refused, not held in memory. */
    public static final int MAX_LINE_BYTES = 64 << 20;

    /** What to do with an unterminated last line that is not valid JSON. */
    public enum Torn {
        /** It is an error, like any other bad line (data files). */
        ERROR,
        /** It is left out: the half line of a crash (append-only logs). */
        DROP
    }

    /** One non-blank line: its number (from 1), its text and its JSON value. */
    public record Line(int number, String text, JsonNode json) {
    }

    /** The lines read, and the number of a torn last line left out (0 when there was none). */
    public record Result(List<Line> lines, int torn) {
        public List<JsonNode> values() {
            return lines.stream().map(Line::json).toList();
        }
    }

    private JsonLines() {
    }

    /** Every non-blank line of {@code file}; errors are {@link IllegalArgumentException}s. */
    public static Result read(Path file, Torn torn) {
        return read(file, torn, IllegalArgumentException::new);
    }

    /**
     * Every non-blank line of {@code file}.
     *
     * @param errors makes the exception thrown for a bad line or a missing file from its one-line message
     */
    public static Result read(Path file, Torn torn, Function<String, ? extends RuntimeException> errors) {
        List<Line> out = new ArrayList<>();
        int tornLine = forEach(file, torn, errors, out::add);
        return new Result(out, tornLine);
    }

    /**
     * Passes each non-blank line of {@code file} to {@code action} as it is read (for files too large to hold
     * twice); returns the number of a torn last line left out, or 0.
     */
    public static int forEach(Path file, Torn torn, Function<String, ? extends RuntimeException> errors,
                              Consumer<Line> action) {
        int[] tornLine = {0};
        scan(file, errors, (bytes, number, terminated, utf8) -> {
            String where = file + ":" + number;
            boolean mayBeTorn = !terminated && torn == Torn.DROP;
            String text;
            JsonNode json;
            try {
                text = text(bytes, number, utf8, where, errors);
                if (text.isBlank()) {
                    return true;
                }
                json = parse(text, where, errors);
            } catch (RuntimeException e) {
                if (mayBeTorn) {
                    tornLine[0] = number; // a crash can cut a line, or a multi-byte character, in half
                    return false;
                }
                throw e;
            }
            action.accept(new Line(number, text, json));
            return true;
        });
        return tornLine[0];
    }

    /**
     * Passes each non-blank line of a UTF-8 text file (one document per line) to {@code action} with its
     * number, until {@code action} returns false; invalid UTF-8 or a missing file is an error naming the place.
     */
    public static void forEachText(Path file, Function<String, ? extends RuntimeException> errors,
                                   BiPredicate<Integer, String> action) {
        scan(file, errors, (bytes, number, terminated, utf8) -> {
            String text = text(bytes, number, utf8, file + ":" + number, errors);
            return text.isBlank() || action.test(number, text);
        });
    }

    private interface LineHandler {
        /** False stops the scan. */
        boolean line(byte[] bytes, int number, boolean terminated, CharsetDecoder utf8);
    }

    /** Splits the file into lines of bytes (without the newline) and hands each to {@code handler}. */
    private static void scan(Path file, Function<String, ? extends RuntimeException> errors, LineHandler handler) {
        try (InputStream in = Files.newInputStream(file)) {
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] chunk = new byte[1 << 16];
            int number = 0;
            int n;
            while ((n = in.read(chunk)) >= 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (line.size() + (i - from) > MAX_LINE_BYTES) {
                        throw errors.apply(file + ":" + (number + 1) + ": a line longer than " + (MAX_LINE_BYTES >> 20)
                                + " MiB (is this a JSON-lines file, one value per line?)");
                    }
                    if (chunk[i] == '\n') {
                        line.write(chunk, from, i - from);
                        from = i + 1;
                        number++;
                        if (!handler.line(line.toByteArray(), number, true, utf8)) {
                            return;
                        }
                        line.reset();
                    }
                }
                line.write(chunk, from, n - from);
            }
            if (line.size() > 0) {
                handler.line(line.toByteArray(), number + 1, false, utf8);
            }
        } catch (NoSuchFileException e) {
            throw errors.apply(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw errors.apply(file + ": permission denied");
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw errors.apply(file + ": is a folder, not a file of lines");
            }
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A line's text: strict UTF-8, without a trailing carriage return or (on line 1) a byte-order mark. */
    private static String text(byte[] bytes, int number, CharsetDecoder utf8, String where,
                               Function<String, ? extends RuntimeException> errors) {
        String text = decode(bytes, utf8, where, errors);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (number == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text;
    }

    /** One line's single JSON value; {@code where} (e.g. "FILE:LINE") starts the messages. */
    public static JsonNode parse(String line, String where) {
        return parse(line, where, IllegalArgumentException::new);
    }

    static JsonNode parse(String line, String where, Function<String, ? extends RuntimeException> errors) {
        try (JsonParser p = Json.MAPPER.createParser(line)) {
            JsonNode value = Json.MAPPER.readTree(p);
            if (value == null || value.isMissingNode()) {
                throw errors.apply(where + ": no JSON value");
            }
            JsonToken next;
            try {
                next = p.nextToken();
            } catch (IOException e) {
                throw errors.apply(where + ": not valid JSON after the value: " + JsonErrors.brief(e));
            }
            if (next != null) {
                JsonLocation at = p.currentTokenLocation();
                throw errors.apply(where + ": more than one JSON value on the line (the next starts at column "
                        + at.getColumnNr() + "; JSON lines hold one value per line)");
            }
            return value;
        } catch (IOException e) {
            throw errors.apply(where + ": not valid JSON: " + JsonErrors.brief(e));
        }
    }

    private static String decode(byte[] bytes, CharsetDecoder utf8, String where,
                                 Function<String, ? extends RuntimeException> errors) {
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // find the first bad byte for the message
            int at = firstBadByte(bytes, utf8);
            throw errors.apply(where + ": not valid UTF-8 (byte " + (at + 1) + " of the line is 0x"
                    + String.format("%02X", bytes[Math.max(0, Math.min(at, bytes.length - 1))] & 0xff)
                    + "); save the file as UTF-8");
        }
    }

    private static int firstBadByte(byte[] bytes, CharsetDecoder utf8) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        utf8.reset();
        java.nio.charset.CoderResult r = utf8.decode(in, out, true);
        return r.isError() ? in.position() : bytes.length - 1;
    }
}
