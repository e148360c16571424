package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.testutil.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code personascope template}: the rendered text byte for byte, or the template's error and a non-zero exit. */
class TemplateCliTest {
    static final Path ROOT = TestData.ROOT.resolve("reference/chat-templates");
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonNode find(String template, String conversation, boolean agp) throws Exception {
        for (String line : Files.readAllLines(ROOT.resolve("cases.jsonl"))) {
            JsonNode c = JSON.readTree(line);
            if (c.get("template").asText().equals(template) && c.get("conversation").asText().equals(conversation)
                    && c.get("add_generation_prompt").asBoolean() == agp) {
                return c;
            }
        }
        throw new AssertionError("no case " + template + " " + conversation);
    }

    Path conversation(Path dir, String id) throws Exception {
        Path f = dir.resolve(id + ".json");
        JSON.writeValue(f.toFile(), JSON.readTree(ROOT.resolve("conversations.json").toFile()).get("conversations").get(id));
        return f;
    }

    @Test
    void printsExactlyWhatTransformersRenders(@TempDir Path dir) throws Exception {
        for (String[] t : List.of(new String[] {"qwen2.5-instruct", "adv_jinja_syntax"}, new String[] {"llama-3-instruct", "whitespace"},
                new String[] {"llamacpp.mistralai-Mistral-Small-3.1-24B-Instruct-2503", "unicode"})) {
            JsonNode c = find(t[0], t[1], true);
            List<String> args = new java.util.ArrayList<>(List.of("template", "--template", ROOT.resolve("templates/" + t[0] + ".jinja").toString(),
                    "--conversation", conversation(dir, t[1]).toString(), "--add-generation-prompt", "--now", "2025-01-15T12:00:00"));
            if (!c.get("bos_token").isNull()) {
                args.addAll(List.of("--bos-token", c.get("bos_token").asText()));
            }
            if (!c.get("eos_token").isNull()) {
                args.addAll(List.of("--eos-token", c.get("eos_token").asText()));
            }
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertEquals(c.get("expected").asText(), r.out(), t[0] + " / " + t[1]);
        }
    }

    @Test
    void aTemplateErrorIsTheTemplatesMessageAndExitTwo(@TempDir Path dir) throws Exception {
        JsonNode c = find("chatml", "llamacpp_conv_tool_roles", true);
        assertTrue(c.get("error_type").asText().equals("TemplateError"), c.toString());
        CliTest.Result r = CliTest.run("template", "--template", ROOT.resolve("templates/chatml.jinja").toString(),
                "--conversation", conversation(dir, "llamacpp_conv_tool_roles").toString(), "--add-generation-prompt");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals("error: chat template failed: " + c.get("error").asText().substring("TemplateError: ".length()), r.err().trim());
    }

    @Test
    void badInputsGiveOneLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c.json"), "{\"role\": \"user\"}");
        CliTest.Result r = CliTest.run("template", "--template", ROOT.resolve("templates/chatml.jinja").toString(),
                "--conversation", dir.resolve("c.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected a JSON array of messages"), r.err());
        CliTest.Result m = CliTest.run("template", "--model", dir.toString(), "--conversation", dir.resolve("c.json").toString());
        assertEquals(2, m.code());
        assertTrue(m.err().contains("no chat template"), m.err());
    }
}
