package dev.personascope.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.testutil.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChatTemplate} against what transformers' {@code apply_chat_template(..., tokenize=False)} gives
 * (Jinja2 with trim_blocks and lstrip_blocks, special tokens of tokenizer_config.json as variables).
 */
class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Llama-2-chat's template as meta-llama/Llama-2-7b-chat-hf ships it (its '\\n' are Jinja escapes). */
    static final String LLAMA2_TEMPLATE = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    /** Mistral-7B-Instruct-v0.1's template. */
    static final String MISTRAL_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
            + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    private static ChatMessage system(String s) {
        return new ChatMessage("system", s);
    }

    private static ChatMessage user(String s) {
        return new ChatMessage("user", s);
    }

    private static ChatMessage assistant(String s) {
        return new ChatMessage("assistant", s);
    }

    /** Writes tokenizer_config.json with the template and bos/eos "<s>"/"</s>" and loads it. */
    private static ChatTemplate write(Path dir, String template) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("bos_token", "<s>");
        c.put("eos_token", "</s>");
        c.put("chat_template", template);
        Path file = dir.resolve("tokenizer_config.json");
        JSON.writeValue(file.toFile(), c);
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(file);
        assertNotNull(t);
        return t;
    }

    @Test
    void qwen2SystemAndUser() {
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(TestData.TOKENIZERS.resolve("qwen2/tokenizer_config.json"));
        assertNotNull(t);
        String expected = "<|im_start|>system\nYou are nice.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
        assertEquals(expected, t.render(List.of(system("You are nice."), user("Hi")), true));
        // this template ignores add_generation_prompt: every user turn ends with the assistant header
        assertEquals(expected, t.render(List.of(system("You are nice."), user("Hi")), false));
    }

    @Test
    void qwen2DefaultSystemAndAssistantTurns() {
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(TestData.TOKENIZERS.resolve("qwen2/tokenizer_config.json"));
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(user("Hi")), true));
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
                        + "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(user("Hi"), assistant("Hello"), user("Bye")), true));
    }

    @Test
    void qwen2InstructAddGenerationPrompt(@TempDir Path dir) throws IOException {
        // Qwen2-*-Instruct's own template, which does read add_generation_prompt
        String template = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                + "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
                + "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
        ChatTemplate t = write(dir, template);
        List<ChatMessage> msgs = List.of(system("You are nice."), user("Hi"));
        String turns = "<|im_start|>system\nYou are nice.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n";
        assertEquals(turns, t.render(msgs, false));
        assertEquals(turns + "<|im_start|>assistant\n", t.render(msgs, true));
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
                t.render(List.of(user("Hi")), false));
    }

    @Test
    void llama2Template(@TempDir Path dir) throws IOException {
        ChatTemplate t = write(dir, LLAMA2_TEMPLATE);
        assertEquals("<s>[INST] <<SYS>>\nYou are nice.\n<</SYS>>\n\nHi [/INST] Hello </s><s>[INST] Bye [/INST]",
                t.render(List.of(system("You are nice."), user("Hi"), assistant("Hello"), user("Bye")), true));
        assertEquals("<s>[INST] Hi [/INST]", t.render(List.of(user(" Hi ")), false));
    }

    @Test
    void llama2RaisesOnBadOrder(@TempDir Path dir) throws IOException {
        ChatTemplate t = write(dir, LLAMA2_TEMPLATE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(user("Hi"), user("Again")), true));
        assertTrue(e.getMessage().contains("Conversation roles must alternate user/assistant/user/assistant/..."), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(system("S"), assistant("Hello")), true));
        assertTrue(e2.getMessage().contains("Conversation roles must alternate user/assistant/user/assistant/..."), e2.getMessage());
    }

    @Test
    void mistralTemplate(@TempDir Path dir) throws IOException {
        ChatTemplate t = write(dir, MISTRAL_TEMPLATE);
        assertEquals("<s>[INST] Hi [/INST]Hello</s>[INST] Bye [/INST]",
                t.render(List.of(user("Hi"), assistant("Hello"), user("Bye")), true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(assistant("Hello"), user("Hi")), true));
        assertTrue(e.getMessage().contains("Conversation roles must alternate user/assistant/user/assistant/..."), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(user("Hi"), system("S")), true));
        assertTrue(e2.getMessage().contains("Only user and assistant roles are supported!"), e2.getMessage());
    }

    @Test
    void whitespaceControl(@TempDir Path dir) throws IOException {
        // Phi-3 style: a readable multi-line template whose layout {%- -%} and {{- -}} remove
        String template = """
                {%- for message in messages %}
                    {%- if message['role'] == 'system' -%}
                        {{- '<|system|>\\n' + message['content'] + '<|end|>\\n' -}}
                    {%- else %}
                        {{- '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}
                    {%- endif %}
                {%- endfor %}
                {%- if add_generation_prompt %}
                    {{- '<|assistant|>\\n' -}}
                {%- else %}
                    {{- eos_token -}}
                {%- endif %}
                """;
        ChatTemplate t = write(dir, template);
        List<ChatMessage> msgs = List.of(system("Be brief."), user("Hi"));
        String turns = "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n";
        assertEquals(turns + "<|assistant|>\n", t.render(msgs, true));
        assertEquals(turns + "</s>", t.render(msgs, false));

        // on expressions too; a '-' after a space is a minus sign, as in Jinja
        ChatTemplate e = write(dir, "A  {{- bos_token -}}  B {{ -1 }}  {{ bos_token -}}  C");
        assertEquals("A<s>B -1  <s>C", e.render(List.of(user("Hi")), false));
        // comments as Llama-3.1's template writes them: {#- ... #} on a line of its own before {%- or {{-
        // (Jinjava 2.7.4 applies a comment's one-sided '-' to the wrong side, which this layout hides)
        ChatTemplate c = write(dir, "{{- bos_token }}\n{#- a note #}\n{%- if true %}\n    {#- another #}\n    {{- 'X' }}\n{%- endif %}\n"
                + "A  {#- both sides -#}  B");
        assertEquals("<s>XAB", c.render(List.of(user("Hi")), false));
    }

    @Test
    void trimAndLstripBlocks(@TempDir Path dir) throws IOException {
        // no '-': trim_blocks drops the newline after a block tag, lstrip_blocks the indentation before it
        String template = "{% for message in messages %}\n"
                + "    {% if message['role'] == 'user' %}\n"
                + "User: {{ message['content'] }}\n"
                + "    {% else %}\n"
                + "Bot: {{ message['content'] }}\n"
                + "    {% endif %}\n"
                + "{% endfor %}\n"
                + "{% if add_generation_prompt %}\n"
                + "Bot:{% endif %}";
        ChatTemplate t = write(dir, template);
        List<ChatMessage> msgs = List.of(user("Hi"), assistant("Hello"));
        assertEquals("User: Hi\nBot: Hello\n", t.render(msgs, false));
        assertEquals("User: Hi\nBot: Hello\nBot:", t.render(msgs, true));
    }

    @Test
    void lstripBlocksOnlyAtLineStart(@TempDir Path dir) throws IOException {
        // Vicuna style: the space before {% elif %} is mid-line text that Jinja keeps
        String template = "{% for m in messages %}{% if m['role'] == 'user' %}USER: {{ m['content'] }} "
                + "{% elif m['role'] == 'assistant' %}ASSISTANT: {{ m['content'] }}</s>{% endif %}{% endfor %}"
                + "{% if add_generation_prompt %}ASSISTANT:{% endif %}";
        ChatTemplate t = write(dir, template);
        assertEquals("USER: Hi ASSISTANT: Hello</s>USER: Bye ASSISTANT:",
                t.render(List.of(user("Hi"), assistant("Hello"), user("Bye")), true));
        // blanks before a tag at the start of a line go, a {%+ tag keeps them, {{ }} is no block
        ChatTemplate u = write(dir, "{% for m in messages %}\n  {{ m['role'] }}\n\t {%+ if true %}|{% endif %}\n"
                + "  {% if true %}{{ m['content'] }}{% endif %}\n{% endfor %}");
        assertEquals("  user\n\t |Hi  assistant\n\t |Hello", u.render(List.of(user("Hi"), assistant("Hello")), false));
    }

    @Test
    void trailingNewlineDropped(@TempDir Path dir) throws IOException {
        // Jinja's keep_trailing_newline=False: one newline at the very end of the template goes
        ChatTemplate t = write(dir, "{% for m in messages %}{{ m['content'] }}\n{% endfor %}{{ eos_token }}\n");
        assertEquals("Hi\nHello\n</s>", t.render(List.of(user("Hi"), assistant("Hello")), false));
    }

    @Test
    void specialTokensFromConfig(@TempDir Path dir) throws IOException {
        String template = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{{ eos_token }}{% endfor %}";
        Path file = dir.resolve("tokenizer_config.json");

        // string form
        ObjectNode c = JSON.createObjectNode();
        c.put("bos_token", "<|begin_of_text|>");
        c.put("eos_token", "<|eot_id|>");
        c.put("chat_template", template);
        JSON.writeValue(file.toFile(), c);
        assertEquals("<|begin_of_text|>Hi<|eot_id|>", ChatTemplate.fromTokenizerConfig(file).render(List.of(user("Hi")), false));

        // {"content": ...} object form (AddedToken as older transformers save it)
        ObjectNode o = JSON.createObjectNode();
        ObjectNode bos = o.putObject("bos_token");
        bos.put("__type", "AddedToken");
        bos.put("content", "<s>");
        bos.put("lstrip", false);
        bos.put("normalized", false);
        bos.put("rstrip", false);
        bos.put("single_word", false);
        ObjectNode eos = o.putObject("eos_token");
        eos.put("__type", "AddedToken");
        eos.put("content", "</s>");
        o.put("chat_template", template);
        JSON.writeValue(file.toFile(), o);
        assertEquals("<s>Hi</s>", ChatTemplate.fromTokenizerConfig(file).render(List.of(user("Hi")), false));
    }
}
