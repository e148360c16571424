package dev.personascope.model.tokenizer.jinja;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * transformers' {@code tojson}: Python's {@code json.dumps(x, ensure_ascii=False, indent=indent,
 * sort_keys=sort_keys)}, i.e. ", " and ": " separators on one line, or with {@code indent} one item per line
 * ("," at line ends, ": " after keys), non-ASCII text kept, no HTML escaping.
 */
public final class ToJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        if (var instanceof Undefined u) {
            throw new TemplateRuntimeError("TypeError: Object of type Undefined is not JSON serializable");
        }
        try {
            return Json.MAPPER.writer(printer(indent instanceof Number n ? n.intValue() : -1))
                    .with(sortKeys ? SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS : SerializationFeature.EAGER_SERIALIZER_FETCH)
                    .writeValueAsString(var);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    private static PrettyPrinter printer(int indent) {
        if (indent < 0) {
            return new MinimalPrettyPrinter() {
                @Override
                public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
                    g.writeRaw(": ");
                }

                @Override
                public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
                    g.writeRaw(", ");
                }

                @Override
                public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
                    g.writeRaw(", ");
                }
            };
        }
        DefaultIndenter indenter = new DefaultIndenter(" ".repeat(indent), "\n");
        DefaultPrettyPrinter p = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)) {
            @Override
            public DefaultPrettyPrinter createInstance() {
                return this;
            }

            @Override
            public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
                if (!_arrayIndenter.isInline()) {
                    --_nesting;
                }
                if (nrOfValues > 0) {
                    _arrayIndenter.writeIndentation(g, _nesting);
                }
                g.writeRaw(']');
            }

            @Override
            public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
                if (!_objectIndenter.isInline()) {
                    --_nesting;
                }
                if (nrOfEntries > 0) {
                    _objectIndenter.writeIndentation(g, _nesting);
                }
                g.writeRaw('}');
            }
        };
        p.indentArraysWith(indenter);
        p.indentObjectsWith(indenter);
        return p;
    }
}
