package dev.personascope.model;

import dev.personascope.model.io.SafeTensors;
import dev.personascope.util.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Saves a model in Hugging Face layout: {@code config.json}, {@code model.safetensors} (f32) and the
 * tokenizer files of the folder it was loaded from. Each file is written atomically.
 */
public final class ModelSaver {
    /** Tokenizer and generation files copied from the source folder when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json", "chat_template.jinja", "tokenizer.bin");

    private ModelSaver() {
    }

    public static void save(LanguageModel lm, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SafeTensors.write(dir.resolve("model.safetensors"), lm.parameters(), Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve("config.json"), lm.config().toJsonString());
        Path src = lm.source();
        if (src == null) {
            return;
        }
        Path srcDir = Files.isDirectory(src) ? src : src.toAbsolutePath().getParent();
        for (String f : TOKENIZER_FILES) {
            copyIfPresent(srcDir.resolve(f), dir.resolve(f));
        }
        if (!Files.isDirectory(src) && !Files.exists(srcDir.resolve("tokenizer.bin"))) {
            // a llama2.c checkpoint: keep its tokenizer (tok512.bin etc.) under the standard name
            try (var s = Files.list(srcDir)) {
                s.filter(p -> p.getFileName().toString().matches("tok.*\\.bin")).findFirst()
                        .ifPresent(p -> copyIfPresent(p, dir.resolve("tokenizer.bin")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void copyIfPresent(Path from, Path to) {
        if (!Files.exists(from) || from.toAbsolutePath().equals(to.toAbsolutePath())) {
            return;
        }
        AtomicFiles.write(to, out -> Files.copy(from, out));
    }
}
