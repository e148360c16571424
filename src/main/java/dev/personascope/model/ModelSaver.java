package dev.personascope.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.DType;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Saves a model in Hugging Face layout: {@code config.json} (every field of the source config kept,
 * the dtype updated), {@code model.safetensors} in the source dtype or the one asked for, and every
 * tokenizer and generation file of the folder it was loaded from. Each file is written atomically.
 */
public final class ModelSaver {
    /** Tokenizer, chat-template and generation files copied from the source folder when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "tokenizer.model",
            "generation_config.json", "chat_template.jinja", "chat_template.json", "tokenizer.bin");

    private ModelSaver() {
    }

    /** Saves in the dtype the model was loaded from (its config's dtype). */
    public static void save(LanguageModel lm, Path dir) {
        save(lm, dir, sourceDtype(lm.config()));
    }

    /** The dtype a config says its checkpoint holds; f32 when it names none we write ("auto", absent). */
    public static DType sourceDtype(ModelConfig c) {
        try {
            return DType.fromTorchName(c.torchDtype);
        } catch (IllegalArgumentException e) {
            return DType.F32;
        }
    }

    /** Saves with the weights in {@code dtype} (F32, BF16 or F16). */
    public static void save(LanguageModel lm, Path dir, DType dtype) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SafeTensors.write(dir.resolve("model.safetensors"), lm.parameters(), Map.of("format", "pt"), dtype);
        ObjectNode json = lm.config().toJson();
        // transformers 5 writes "dtype", 4 "torch_dtype": update whichever the config has
        boolean wrote = false;
        for (String key : List.of("dtype", "torch_dtype")) {
            if (json.has(key)) {
                json.put(key, dtype.torchName());
                wrote = true;
            }
        }
        if (!wrote) {
            json.put("torch_dtype", dtype.torchName());
        }
        try {
            AtomicFiles.writeString(dir.resolve("config.json"), Json.PRETTY.writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
