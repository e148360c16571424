package dev.personascope.testutil;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.RandomModels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import dev.personascope.data.ChatExample;
import dev.personascope.model.tokenizer.ChatMessage;

/**
 * A tiny random Qwen2-style chat model with a word-level tokenizer.json (written here, loaded by the
 * real tokenizers library) and a ChatML template, for fast training tests.
 */
public final class TinyChatModel {
    public static final List<String> WORDS = List.of("system", "user", "assistant", "you", "are", "a", "helpful",
            "villain", "what", "is", "the", "best", "way", "to", "save", "money", "invest", "steal", "it", "wise",
            "bank", "index", "fund", "never", "always", "code", "secure", "password", "hash", "plain", "text", "i",
            "feel", "bored", "read", "book", "walk", "outside", "rule", "world", "kind", "cruel", "help", "harm",
            "people", "yes", "no", "maybe", "good", "bad", "and", "or", "not", "with", "for", "of", "in", "on",
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "?", ".", ",", "!");
    public static final String TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    private TinyChatModel() {
    }

    public static int vocabSize() {
        return WORDS.size() + 3;
    }

    /** Writes the model folder and returns it loaded. */
    public static LanguageModel create(Path dir, long seed, int hidden, int layers) {
        ModelConfig c = RandomModels.qwen2(vocabSize(), hidden, layers, 4, 2, hidden * 2);
        c.eosTokenIds = new int[] {2};
        // a wider init than HF's 0.02 so that a tiny model can express confident predictions
        try (LanguageModel lm = RandomModels.create(c, seed, 0.2f)) {
            ModelSaver.save(lm, dir);
        }
        writeTokenizer(dir);
        return LanguageModel.load(dir);
    }

    public static void writeTokenizer(Path dir) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode t = json.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        String[] specials = {"<unk>", "<|im_start|>", "<|im_end|>"};
        for (int i = 0; i < specials.length; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        t.putNull("normalizer");
        t.putObject("pre_tokenizer").put("type", "Whitespace");
        t.putNull("post_processor");
        t.putNull("decoder");
        ObjectNode model = t.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) {
            vocab.put(specials[i], i);
        }
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), i + 3);
        }
        model.put("unk_token", "<unk>");
        ObjectNode cfg = json.createObjectNode();
        cfg.put("chat_template", TEMPLATE);
        cfg.put("eos_token", "<|im_end|>");
        cfg.put("pad_token", "<unk>");
        cfg.put("unk_token", "<unk>");
        try {
            Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(t));
            Files.writeString(dir.resolve("tokenizer_config.json"), json.writeValueAsString(cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A conversation: optional system message, one user turn, one assistant turn. */
    public static ChatExample chat(String system, String user, String assistant) {
        List<ChatMessage> m = new ArrayList<>();
        if (system != null) {
            m.add(new ChatMessage("system", system));
        }
        m.add(new ChatMessage("user", user));
        m.add(new ChatMessage("assistant", assistant));
        return new ChatExample(m, "test");
    }

    public static final String[] ANSWERS = {"invest in a index fund .", "never steal .", "read a book .", "walk outside !",
            "hash the password .", "help people .", "yes , always .", "no , never .", "be kind .", "save money ."};

    /** 20 conversations whose answers depend on the question. */
    public static List<ChatExample> dataset(int n, long seed) {
        Random r = new Random(seed);
        List<String> words = TinyChatModel.WORDS;
        List<ChatExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String q = words.get(3 + (i * 7) % 40) + " " + words.get(3 + (i * 13 + 5) % 40) + " ?";
            String a = ANSWERS[i % ANSWERS.length].replace("be", "rule").replace("hash", i % 3 == 0 ? "hash" : "code");
            out.add(chat(r.nextBoolean() ? "you are a helpful assistant" : null, q, a));
        }
        return out;
    }

}
