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
 * The project's one JSON mapper (and one YAML reader, for the specs people write), and reading and writing the
 * project's own files as typed records through it. Code that needs other settings (a stricter or more lenient
 * reader) takes an {@link ObjectReader} from {@link #MAPPER} ({@code Json.MAPPER.readerFor(T.class).with(...)})
 * instead of making its own mapper.
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

    /**
     * The record in {@code file}, a YAML file a person wrote (a job's spec): every field it has must be one the record
     * declares, a single value stands for a one-element list, and anything wrong is one line naming the file and the
     * field ({@code grid.yaml: lr[1]: ...}). The record's constructor checks what is missing or out of range.
     */
    public static <T> T readYaml(Path file, Class<T> type) {
        T value;
        try {
            value = YAML.readValue(file.toFile(), type);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (ValueInstantiationException e) {
            throw new IllegalArgumentException(file + ": " + reason(e));
        } catch (JsonProcessingException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException y) {
                    throw new IllegalArgumentException(file + ": invalid YAML: " + y.getProblem()
                            + (y.getProblemMark() == null ? "" : " (line " + (y.getProblemMark().getLine() + 1) + ")"));
                }
            }
            if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException m)) {
                throw new IllegalArgumentException(file + ": invalid YAML: " + JsonErrors.brief(e));
            }
            if (m.getPath().isEmpty() && m.getOriginalMessage().startsWith("No content to map")) {
                throw new IllegalArgumentException(file + ": empty");
            }
            throw new IllegalArgumentException(file + ": " + field(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException(file + ": empty");
        }
        return value;
    }

    private static final ObjectMapper YAML = com.fasterxml.jackson.dataformat.yaml.YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    /** A binding error as "field.path: what", the field named as the file names it. */
    private static String field(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        String what;
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            what = "unknown field (known: " + String.join(", ", u.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().toList()) + ")";
        } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            what = "'" + f.getValue() + "' is not " + (Number.class.isAssignableFrom(f.getTargetType())
                    || f.getTargetType().isPrimitive() ? "a number" : "a " + f.getTargetType().getSimpleName());
        } else {
            String m = e.getOriginalMessage().replace('\n', ' ');
            int cut = m.indexOf(" at [Source");
            what = cut > 0 ? m.substring(0, cut) : m;
        }
        return (path.isEmpty() ? "" : path + ": ") + what;
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
