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
import dev.personascope.model.io.TensorFormatException;

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
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Spaces and tabs from the start of a line up to a {% or {# tag (not {%+), which lstrip_blocks removes. */
    private static final Pattern LSTRIP_BLOCKS =
            Pattern.compile("^[ \\t]+(?=\\{[%#](?!\\+))", Pattern.MULTILINE | Pattern.UNIX_LINES);
    private final String template;
    private final String jinjavaSource;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinjava;

    public ChatTemplate(String template, Map<String, Object> specialTokens) {
        this.template = template;
        this.jinjavaSource = jinjavaSource(template);
        this.specialTokens = specialTokens;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false) // Jinjava's strips before tags in mid-line too: done in jinjavaSource
                // Jinja's {{- x -}}: without these Jinjava trims only around {% %} tags (and {#- -#}), and
                // reads '{{ -1 }}' as whitespace control rather than a negative number
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .build())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    }

    /**
     * The template as Jinjava should see it to render as Jinja does: lstrip_blocks (Jinja strips blanks
     * before a block or comment tag only at the start of a line), and one trailing newline dropped
     * (Jinja's keep_trailing_newline=False).
     */
    static String jinjavaSource(String template) {
        String s = LSTRIP_BLOCKS.matcher(template).replaceAll("");
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") || s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** Called from templates as {@code raise_exception('...')}. */
    public static String raiseException(String message) {
        throw new IllegalArgumentException(message);
    }

    /** Reads the template of {@code tokenizer_config.json}; null when the file or field is absent. */
    public static ChatTemplate fromTokenizerConfig(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode c;
        try {
            c = JSON.readTree(file.toFile());
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

    public String source() {
        return template;
    }

    /** Renders the conversation; with {@code addGenerationPrompt} it ends where the assistant speaks. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> ctx = new HashMap<>(specialTokens);
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            msgs.add(m.asMap());
        }
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
                String msg = e.getMessage();
                // raise_exception's IllegalArgumentException arrives wrapped (TemplateSyntaxException, ELException)
                for (Throwable x = e.getException(); x != null && x.getCause() != x; x = x.getCause()) {
                    if (x instanceof IllegalArgumentException iae) {
                        msg = iae.getMessage();
                        break;
                    }
                }
                throw new IllegalArgumentException("chat template failed: " + msg);
            }
        }
        return r.getOutput();
    }
}
