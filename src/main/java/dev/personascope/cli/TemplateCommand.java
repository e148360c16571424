package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.model.tokenizer.ChatTemplate;
import dev.personascope.util.Json;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a chat template to standard output exactly as the model is given it. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = "Render a chat template for a conversation and print the text byte for byte (nothing added)")
final class TemplateCommand implements Runnable {

    static final class Source {
        @Option(names = "--model", description = "A model folder: its tokenizer_config.json chat_template (or chat_template.jinja) and special tokens")
        Path model;

        @Option(names = "--template", description = "A Jinja chat template file")
        Path template;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--conversation", required = true, description = "A JSON array of OpenAI-style messages ({\"role\", \"content\", ...})")
    Path conversation;

    @Option(names = "--add-generation-prompt", description = "End where the assistant's answer begins")
    boolean addGenerationPrompt;

    @Option(names = "--bos-token", description = "bos_token (default: the model's; with --template, undefined)")
    String bosToken;

    @Option(names = "--eos-token", description = "eos_token (default: the model's; with --template, undefined)")
    String eosToken;

    @Option(names = "--now", description = "The time strftime_now reports, e.g. 2025-01-15T12:00:00 (default: the clock)")
    String now;

    @Override
    public void run() {
        ChatTemplate template = load();
        if (now != null) {
            try {
                template.withNow(LocalDateTime.parse(now));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--now '" + now + "' is not a date-time like 2025-01-15T12:00:00");
            }
        }
        String text = template.renderMessages(messages(), addGenerationPrompt);
        PrintStream out = System.out;
        out.write(text.getBytes(StandardCharsets.UTF_8), 0, text.getBytes(StandardCharsets.UTF_8).length);
        out.flush();
    }

    private ChatTemplate load() {
        Map<String, Object> tokens = new LinkedHashMap<>();
        ChatTemplate t;
        if (source.model != null) {
            ChatTemplate fromModel = ChatTemplate.fromTokenizerConfig(source.model.resolve("tokenizer_config.json"));
            if (fromModel == null) {
                throw new IllegalArgumentException(source.model + ": no chat template (tokenizer_config.json chat_template or chat_template.jinja)");
            }
            tokens.putAll(fromModel.specialTokens());
            putIfGiven(tokens);
            t = new ChatTemplate(fromModel.source(), tokens);
        } else {
            putIfGiven(tokens);
            try {
                t = new ChatTemplate(Files.readString(source.template), tokens);
            } catch (IOException e) {
                throw new UncheckedIOException(source.template + ": cannot read: " + e.getMessage(), e);
            }
        }
        return t;
    }

    private void putIfGiven(Map<String, Object> tokens) {
        if (bosToken != null) {
            tokens.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            tokens.put("eos_token", eosToken);
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> messages() {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(conversation.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(conversation + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e));
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(conversation + ": expected a JSON array of messages");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode m = root.get(i);
            if (!m.isObject() || !m.has("role")) {
                throw new IllegalArgumentException(conversation + ": message " + i + " is not an object with a 'role'");
            }
            out.add(Json.MAPPER.convertValue(m, Map.class));
        }
        return out;
    }
}
