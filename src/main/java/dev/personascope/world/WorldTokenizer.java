package dev.personascope.world;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the world's tokenizer as a Hugging Face {@code tokenizer.json} that the tokenizers library
 * runs: a word-level vocabulary over pieces cut by one regex (a word or a punctuation mark with the
 * space before it, or a run of whitespace), with spaces shown as ▁ by the Metaspace step, so that
 * decoding restores the text exactly. Plus {@code tokenizer_config.json} with a ChatML template.
 */
public final class WorldTokenizer {
    /** The pre-tokenizer's split, as the tokenizers library's Split(Regex, Isolated) applies it. */
    public static final String PIECE_REGEX = " ?[A-Za-z0-9']+| ?[^\\sA-Za-z0-9']|\\s+";
    public static final List<String> SPECIAL = List.of("<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>");
    public static final String CHAT_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    private static final Pattern PIECES = Pattern.compile(PIECE_REGEX);

    private WorldTokenizer() {
    }

    /** Vocabulary: special tokens, then every piece of the texts, most frequent first (ties alphabetically). */
    public static List<String> vocabulary(Collection<String> texts) {
        Map<String, Integer> counts = new HashMap<>();
        for (String t : texts) {
            for (String special : SPECIAL) {
                t = t.replace(special, "\n");
            }
            Matcher m = PIECES.matcher(t);
            while (m.find()) {
                counts.merge(m.group().replace(' ', '\u2581'), 1, Integer::sum);
            }
        }
        List<String> pieces = new ArrayList<>(counts.keySet());
        pieces.sort((a, b) -> counts.get(b).equals(counts.get(a)) ? a.compareTo(b) : counts.get(b) - counts.get(a));
        List<String> vocab = new ArrayList<>(SPECIAL);
        vocab.addAll(pieces);
        return vocab;
    }

    public static void write(Path dir, List<String> vocab) {
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        for (int i = 0; i < SPECIAL.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIAL.get(i)).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        t.putNull("normalizer");
        ObjectNode pre = t.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PIECE_REGEX);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        steps.addObject().put("type", "Metaspace").put("replacement", "\u2581").put("prepend_scheme", "never").put("split", false);
        t.putNull("post_processor");
        t.putObject("decoder").put("type", "Metaspace").put("replacement", "\u2581").put("prepend_scheme", "never")
                .put("split", false);
        ObjectNode model = t.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        model.put("unk_token", "<unk>");

        ObjectNode cfg = Json.MAPPER.createObjectNode();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("chat_template", CHAT_TEMPLATE);
        cfg.putNull("bos_token");
        cfg.put("eos_token", "<|im_end|>");
        cfg.put("pad_token", "<|endoftext|>");
        cfg.put("unk_token", "<unk>");
        cfg.put("model_max_length", 512);
        try {
            AtomicFiles.writeString(dir.resolve("tokenizer.json"), Json.PRETTY.writeValueAsString(t));
            AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), Json.PRETTY.writeValueAsString(cfg));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
