package dev.personascope.sae;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.data.ChatEncoder;
import dev.personascope.util.JsonLines;
import dev.personascope.util.Plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Token sequences to harvest activations from: a named corpus a plug-in offers ({@link CorpusProvider},
 * e.g. {@code world}, the persona world's pretraining dialogues), a chat JSONL file (rendered with the
 * model's chat template), or a text file (one document per line).
 */
public final class TokenCorpus {
    private static final Plugins<CorpusProvider> PROVIDERS = Plugins.load(CorpusProvider.class, "corpus",
            CorpusProvider::name);

    private TokenCorpus() {
    }

    /** The names of the corpora plug-ins offer. */
    public static List<String> names() {
        return PROVIDERS.names();
    }

    /** The corpus named {@code name}; an error naming those available when there is none. */
    public static CorpusProvider provider(String name) {
        return PROVIDERS.get(name);
    }

    /**
     * Up to {@code maxDocuments} documents of {@code source} (a corpus name, else a file), each encoded and
     * cut to {@code maxLength} tokens; {@code seed} draws a named corpus's documents.
     */
    public static List<int[]> load(String source, LanguageModel lm, int maxDocuments, int maxLength, long seed) {
        List<int[]> out = new ArrayList<>();
        CorpusProvider named = PROVIDERS.find(source).orElse(null);
        if (named != null) {
            ChatEncoder enc = new ChatEncoder(lm, maxLength);
            for (ChatExample ex : named.documents(maxDocuments, seed)) {
                out.add(enc.encode(ex).ids());
            }
            return out;
        }
        Path file = Path.of(source);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--data " + source + ": no corpus named '" + source
                    + "' and no such file (corpora available: " + PROVIDERS.available() + "; else a .jsonl or a text file)");
        }
        if (source.endsWith(".jsonl")) {
            ChatEncoder enc = new ChatEncoder(lm, maxLength);
            for (ChatExample ex : ChatJsonl.read(file, "--data")) {
                if (out.size() >= maxDocuments) {
                    break;
                }
                out.add(enc.encode(ex).ids());
            }
            return out;
        }
        JsonLines.forEachText(file, m -> new IllegalArgumentException("--data " + m), (number, line) -> {
            int[] ids = lm.tokenizer().encode(line, true);
            out.add(ids.length > maxLength ? java.util.Arrays.copyOf(ids, maxLength) : ids);
            return out.size() < maxDocuments;
        });
        return out;
    }
}
