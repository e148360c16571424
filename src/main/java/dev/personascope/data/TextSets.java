package dev.personascope.data;

import dev.personascope.util.Plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where a {@link TextSet} comes from: a name a {@link TextProvider} plug-in offers, or a chat JSONL file. */
public final class TextSets {
    private static final Plugins<TextProvider> PROVIDERS = Plugins.load(TextProvider.class, "corpus",
            TextProvider::name);

    private TextSets() {
    }

    /** The names plug-ins offer texts under. */
    public static List<String> names() {
        return PROVIDERS.names();
    }

    /** The names joined with ", ", or "none". */
    public static String available() {
        return PROVIDERS.available();
    }

    /** Whether a plug-in offers texts named {@code name}. */
    public static boolean has(String name) {
        return PROVIDERS.find(name).isPresent();
    }

    /**
     * The first {@code max} texts named {@code name}, drawn with {@code seed}.
     *
     * @throws IllegalArgumentException naming those available when no plug-in offers the name
     */
    public static TextSet named(String name, int max, long seed) {
        return PROVIDERS.get(name).texts(max, seed);
    }

    /**
     * The texts named {@code source}, else the first {@code max} conversations of the chat JSONL file
     * {@code source} (unlabelled); {@code option} names the source in errors (e.g. "--corpus").
     */
    public static TextSet load(String source, String option, int max, long seed) {
        if (has(source)) {
            return named(source, max, seed);
        }
        Path file = Path.of(source);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(option + " " + source + ": no corpus named '" + source
                    + "' and no such file (corpora available: " + available() + "; else a chat .jsonl)");
        }
        return TextSet.unlabelled(ChatJsonl.read(file, option)).first(max);
    }
}
