package dev.personascope.sae;

import dev.personascope.data.ChatEncoder;
import dev.personascope.data.TextSets;
import dev.personascope.model.LanguageModel;
import dev.personascope.util.JsonLines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Token sequences to harvest activations from: texts a plug-in offers by name ({@link TextSets}, e.g.
 * {@code world}, the persona world's pretraining dialogues) or a chat JSONL file, both rendered with the
 * model's chat template, or a text file (one document per line, tokenized as it is).
 */
public final class TokenCorpus {
    private TokenCorpus() {
    }

    /**
     * Up to {@code maxDocuments} documents of {@code source} (a corpus name, else a file), each encoded and
     * cut to {@code maxLength} tokens; {@code seed} draws a named corpus's documents.
     */
    public static List<int[]> load(String source, LanguageModel lm, int maxDocuments, int maxLength, long seed) {
        if (isChat(source)) {
            return TextSets.load(source, "--data", maxDocuments, seed).encode(lm, maxLength).stream()
                    .map(ChatEncoder.Encoded::ids).toList();
        }
        List<int[]> out = new ArrayList<>();
        JsonLines.forEachText(Path.of(source), m -> new IllegalArgumentException("--data " + m), (number, line) -> {
            int[] ids = lm.tokenizer().encode(line, true);
            out.add(ids.length > maxLength ? Arrays.copyOf(ids, maxLength) : ids);
            return out.size() < maxDocuments;
        });
        return out;
    }

    /** How many documents {@link #load} gives, found without a model (nothing is tokenized). */
    public static int count(String source, int maxDocuments, long seed) {
        if (isChat(source)) {
            return TextSets.load(source, "--data", maxDocuments, seed).size();
        }
        int[] n = {0};
        JsonLines.forEachText(Path.of(source), m -> new IllegalArgumentException("--data " + m), (number, line) -> {
            n[0]++;
            return n[0] < maxDocuments;
        });
        return n[0];
    }

    /** A named corpus or a chat JSONL file (else a text file); an error line when it is neither named nor a file. */
    private static boolean isChat(String source) {
        boolean named = TextSets.has(source);
        if (!named && !Files.exists(Path.of(source))) {
            throw new IllegalArgumentException("--data " + source + ": no corpus named '" + source
                    + "' and no such file (corpora available: " + TextSets.available() + "; else a .jsonl or a text file)");
        }
        return named || source.endsWith(".jsonl");
    }
}
