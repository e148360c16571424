package dev.personascope.sae;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.train.ChatEncoder;
import dev.personascope.world.WorldGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Token sequences to harvest activations from: {@code world} (the persona world's pretraining
 * dialogues), a chat JSONL file (rendered with the model's chat template), or a text file (one
 * document per line).
 */
public final class TokenCorpus {
    private TokenCorpus() {
    }

    public static List<int[]> load(String source, LanguageModel lm, int maxDocuments, int maxLength, long seed) {
        List<int[]> out = new ArrayList<>();
        if (source.equals("world")) {
            ChatEncoder enc = new ChatEncoder(lm, maxLength);
            for (ChatExample ex : new WorldGenerator().pretrainingCorpus(maxDocuments, seed)) {
                out.add(enc.encode(ex).ids());
            }
            return out;
        }
        Path file = Path.of(source);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--data " + source + ": no such file (expected 'world', a .jsonl or a text file)");
        }
        if (source.endsWith(".jsonl")) {
            ChatEncoder enc = new ChatEncoder(lm, maxLength);
            for (ChatExample ex : ChatJsonl.read(file)) {
                if (out.size() >= maxDocuments) {
                    break;
                }
                out.add(enc.encode(ex).ids());
            }
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (out.size() >= maxDocuments) {
                    break;
                }
                if (!line.isBlank()) {
                    int[] ids = lm.tokenizer().encode(line, true);
                    out.add(ids.length > maxLength ? java.util.Arrays.copyOf(ids, maxLength) : ids);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }
}
