package dev.personascope.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's binding of the Rust tokenizers library; BOS and
 * EOS come from {@code tokenizer_config.json} when present.
 */
public final class HfTokenizer implements TextTokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> specialIds = new HashMap<>();
    private final Map<Integer, String> specialTexts = new HashMap<>();
    private final int vocabSize;
    private int bos = -1;
    private int eos = -1;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
    }

    /** Loads {@code dir/tokenizer.json} (and {@code dir/tokenizer_config.json} if present). */
    public static HfTokenizer load(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve("tokenizer.json") : dir;
        Path folder = file.toAbsolutePath().getParent();
        if (!Files.exists(file)) {
            throw new TensorFormatException(file + ": no tokenizer.json");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new TensorFormatException(file + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e), e);
        }
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new TensorFormatException(file + ": the tokenizers library cannot load it: " + e.getMessage(), e);
        }
        int maxId = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            Iterator<JsonNode> it = vocab.elements();
            while (it.hasNext()) {
                maxId = Math.max(maxId, it.next().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: list of [piece, score]
            maxId = vocab.size() - 1;
        }
        HfTokenizer t = new HfTokenizer(hf, 0);
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt();
            maxId = Math.max(maxId, id);
            if (added.path("special").asBoolean(false)) {
                t.specialIds.put(added.path("content").asText(), id);
                t.specialTexts.put(id, added.path("content").asText());
            }
        }
        HfTokenizer out = new HfTokenizer(hf, maxId + 1);
        out.specialIds.putAll(t.specialIds);
        out.specialTexts.putAll(t.specialTexts);
        out.readSpecialTokens(folder.resolve("tokenizer_config.json"), root);
        return out;
    }

    private void readSpecialTokens(Path config, JsonNode tokenizerJson) {
        if (Files.exists(config)) {
            try {
                JsonNode c = Json.MAPPER.readTree(config.toFile());
                bos = idOf(tokenText(c.get("bos_token")), tokenizerJson);
                eos = idOf(tokenText(c.get("eos_token")), tokenizerJson);
            } catch (IOException e) {
                throw new TensorFormatException(config + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e), e);
            }
        }
    }

    /** tokenizer_config.json writes a special token as a string or as {"content": ...}. */
    static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isObject() ? n.path("content").asText(null) : n.asText();
    }

    private int idOf(String token, JsonNode tokenizerJson) {
        if (token == null) {
            return -1;
        }
        Integer id = specialIds.get(token);
        if (id != null) {
            return id;
        }
        JsonNode v = tokenizerJson.path("model").path("vocab").get(token);
        return v == null ? -1 : v.asInt();
    }

    /** The id of a special token by its text, or -1. */
    public int specialId(String text) {
        return specialIds.getOrDefault(text, -1);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        Encoding e = tokenizer.encode(text, addSpecialTokens, false);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** Row 0: ids; rows 1 and 2: each token's start and end in code points. */
    @Override
    public int[][] encodeWithSpans(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        long[] ids = e.getIds();
        ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = e.getCharTokenSpans();
        int[][] out = new int[3][ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[0][i] = (int) ids[i];
            out[1][i] = spans[i] == null ? -1 : spans[i].getStart();
            out[2][i] = spans[i] == null ? -1 : spans[i].getEnd();
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    @Override
    public String tokenText(int id) {
        String special = specialTexts.get(id);
        return special != null ? special : tokenizer.decode(new long[] {id}, false);
    }

    @Override
    public String specialText(int id) {
        return specialTexts.get(id);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
