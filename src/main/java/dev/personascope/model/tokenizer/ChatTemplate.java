package dev.personascope.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.model.tokenizer.jinja.Functions;
import dev.personascope.model.tokenizer.jinja.DefaultFilter;
import dev.personascope.model.tokenizer.jinja.GenerationTag;
import dev.personascope.model.tokenizer.jinja.LoopFilter;
import dev.personascope.model.tokenizer.jinja.PyStrFilter;
import dev.personascope.model.tokenizer.jinja.ToJsonFilter;
import dev.personascope.model.tokenizer.jinja.Undefined;
import dev.personascope.model.tokenizer.jinja.JinjaSource;
import dev.personascope.model.tokenizer.jinja.PySlice;
import dev.personascope.model.tokenizer.jinja.PyNone;
import dev.personascope.model.tokenizer.jinja.PyTests;
import dev.personascope.model.tokenizer.jinja.PythonMethods;
import dev.personascope.model.tokenizer.jinja.TemplateRuntimeError;
import dev.personascope.util.Json;
import jinjava.javax.el.CompositeELResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json})
 * rendered with Jinjava, with trim_blocks and lstrip_blocks as transformers sets them.
 */
public final class ChatTemplate {
    /** Spaces and tabs from the start of a line up to a {% or {# tag (not {%+), which lstrip_blocks removes. */
    private static final Pattern LSTRIP_BLOCKS =
            Pattern.compile("^[ \\t]+(?=\\{[%#](?!\\+))", Pattern.MULTILINE | Pattern.UNIX_LINES);
    private final String template;
    private final String jinjavaSource;
    private final List<String> loopConditions;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinjava;
    /** What strftime_now reports; null = the clock at render time. */
    private java.time.LocalDateTime now;

    public ChatTemplate(String template, Map<String, Object> specialTokens) {
        this.template = template;
        JinjaSource.Rewritten rw = rewritten(template);
        this.jinjavaSource = rw.source();
        this.loopConditions = rw.loopConditions();
        this.specialTokens = specialTokens;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withElResolver(resolver)
                .withTrimBlocks(true)
                .withNestedInterpretationEnabled(false) // message text is data: never rendered as template code
                .withLstripBlocks(false) // Jinjava's strips before tags in mid-line too: done in jinjavaSource
                // Jinja's {{- x -}}: without these Jinjava trims only around {% %} tags (and {#- -#}), and
                // reads '{{ -1 }}' as whitespace control rather than a negative number
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUsePyishObjectMapper(true) // print lists, dicts and booleans as Python does
                        .build())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", Functions.class, "raiseException", Object.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", Functions.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerTag(new GenerationTag());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "py_slice", PySlice.class, "slice",
                Object.class, Object.class, Object.class, Object.class));
        jinjava.getGlobalContext().registerFilter(new DefaultFilter("default"));
        jinjava.getGlobalContext().registerFilter(new DefaultFilter("d"));
        // an unknown variable is Jinja's Undefined, not null
        jinjava.getGlobalContext().setDynamicVariableResolver(name -> switch (name) {
            case "none", "None" -> null;
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            default -> new Undefined("'" + name + "' is undefined");
        });
        jinjava.getGlobalContext().registerFilter(new LoopFilter());
        jinjava.getGlobalContext().registerFilter(new ToJsonFilter());
        jinjava.getGlobalContext().registerFilter(new PyStrFilter());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "py_str", PyStrFilter.class, "str", Object.class));
        PyTests.all().forEach(jinjava.getGlobalContext()::registerExpTest);
    }

    /**
     * The template as Jinjava should see it to render as Jinja does: lstrip_blocks (Jinja strips blanks
     * before a block or comment tag only at the start of a line), and one trailing newline dropped
     * (Jinja's keep_trailing_newline=False).
     */
    static String jinjavaSource(String template) {
        return rewritten(template).source();
    }

    /** {@link #jinjavaSource} with the loop-filter conditions the rewritten source refers to. */
    private static JinjaSource.Rewritten rewritten(String template) {
        // Jinja reads every line ending of the source as \n, inside string literals too
        String s = LSTRIP_BLOCKS.matcher(template.replace("\r\n", "\n").replace('\r', '\n')).replaceAll("");
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return JinjaSource.rewriteWithConditions(s);
    }

    /** Reads the template of {@code tokenizer_config.json}; null when the file or field is absent. */
    public static ChatTemplate fromTokenizerConfig(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode c;
        try {
            c = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new TensorFormatException(file + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e), e);
        }
        JsonNode t = c.get("chat_template");
        if (t == null || t.isNull()) {
            Path jinja = file.resolveSibling("chat_template.jinja");
            if (Files.exists(jinja)) {
                try {
                    return new ChatTemplate(Files.readString(jinja), specials(c));
                } catch (IOException e) {
                    throw new TensorFormatException(jinja + ": cannot read: " + e.getMessage(), e);
                }
            }
            return null;
        }
        String text;
        if (t.isArray()) { // list of {name, template}: take "default"
            text = null;
            for (JsonNode n : t) {
                if ("default".equals(n.path("name").asText())) {
                    text = n.path("template").asText();
                }
            }
            if (text == null) {
                throw new TensorFormatException(file + ": field 'chat_template' has no template named 'default'");
            }
        } else {
            text = t.asText();
        }
        return new ChatTemplate(text, specials(c));
    }

    private static Map<String, Object> specials(JsonNode c) {
        Map<String, Object> m = new HashMap<>();
        for (String k : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            String v = HfTokenizer.tokenText(c.get(k));
            m.put(k, v == null ? "" : v);
        }
        return m;
    }

    /** Fixes the time strftime_now reports (for reproducible renders). */
    public ChatTemplate withNow(java.time.LocalDateTime fixed) {
        this.now = fixed;
        return this;
    }

    /** The special tokens the template sees (bos_token, eos_token, ...). */
    public Map<String, Object> specialTokens() {
        return java.util.Collections.unmodifiableMap(specialTokens);
    }

    public String source() {
        return template;
    }

    /** Renders the conversation; with {@code addGenerationPrompt} it ends where the assistant speaks. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            msgs.add(m.asMap());
        }
        return renderMessages(msgs, addGenerationPrompt);
    }

    /** Renders messages given as OpenAI-style maps (role, content and any other fields). */
    public String renderMessages(List<Map<String, Object>> msgs, boolean addGenerationPrompt) {
        Map<String, Object> ctx = new HashMap<>(specialTokens);
        // transformers passes tools=None and documents=None: defined, but None
        ctx.put("tools", PyNone.NONE);
        ctx.put("documents", PyNone.NONE);
        ctx.put(Functions.NOW, now);
        ctx.put(LoopFilter.CONDITIONS, loopConditions);
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        RenderResult r;
        try {
            r = jinjava.renderForResult(jinjavaSource, ctx);
        } catch (FatalTemplateErrorsException e) {
            throw new IllegalArgumentException("chat template failed: " + e.getMessage(), e);
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                String msg = e.getMessage() + (e.getLineno() > 0 ? " (template line " + e.getLineno() + ")" : "");
                // raise_exception's error arrives wrapped (TemplateSyntaxException, ELException)
                for (Throwable x = e.getException(); x != null && x.getCause() != x; x = x.getCause()) {
                    if (x instanceof TemplateRuntimeError t) {
                        msg = t.getMessage();
                        break;
                    }
                }
                throw new IllegalArgumentException("chat template failed: " + msg);
            }
        }
        return r.getOutput();
    }
}
