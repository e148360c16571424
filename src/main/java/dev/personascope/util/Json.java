package dev.personascope.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The project's one JSON mapper, and reading and writing the project's own files as typed records through it.
 * Code that needs other settings (a stricter or more lenient reader) takes an {@link ObjectReader} from
 * {@link #MAPPER} ({@code Json.MAPPER.readerFor(T.class).with(...)}) instead of making its own mapper.
 */
public final class Json {
    /** Jackson's defaults: records bind by their component names (or {@code @JsonProperty}). */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();
    /** For files people read: two-space indented. */
    public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {
    }

    /**
     * The record in {@code file}, a file this project wrote; fields it does not know (written by another
     * version) are ignored. A missing or malformed file is one line naming the file.
     */
    public static <T> T read(Path file, Class<T> type) {
        return read(file, MAPPER.constructType(type));
    }

    /** {@link #read(Path, Class)} for a generic type ({@code new TypeReference<List<Point>>() {}}). */
    public static <T> T read(Path file, TypeReference<T> type) {
        return read(file, MAPPER.constructType(type));
    }

    private static <T> T read(Path file, JavaType type) {
        try {
            return lenient(type).readValue(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + reason(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The record held by a JSON value (one line of a JSON-lines file, say); {@code where} starts the error line. */
    public static <T> T fromTree(JsonNode value, Class<T> type, String where) {
        try {
            return lenient(MAPPER.constructType(type)).readValue(MAPPER.treeAsTokens(value));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": " + reason(e));
        }
    }

    /** {@code value} as a JSON tree. */
    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Writes {@code value} to {@code file} pretty-printed, atomically, ending in a newline. */
    public static void write(Path file, Object value) {
        AtomicFiles.write(file, out -> {
            PRETTY.without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, value);
            out.write('\n');
        });
    }

    /** {@code value} as one line of JSON (for JSON-lines files). */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
        }
    }

    /** A record's own check (an IllegalArgumentException from its constructor) as it said it; else Jackson's reason. */
    private static String reason(Exception e) {
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException c) {
            return c.getMessage();
        }
        return JsonErrors.brief(e);
    }

    private static ObjectReader lenient(JavaType type) {
        return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
