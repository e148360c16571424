package dev.personascope.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bundled stories260K model copied into a folder with a minimal chat template added, so that the
 * story model can be served as a chat model: each message as "ROLE: content", then "Once upon a time".
 */
public final class StoriesChatModel {
    public static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}{{ m['role'] | upper }}: {{ m['content'] }}\\n"
            + "{% endfor %}{% if add_generation_prompt %}Once upon a time{% endif %}";

    private StoriesChatModel() {
    }

    /** Writes the model folder into {@code dir} and returns it. */
    public static Path write(Path dir) throws IOException {
        Path src = TestData.STORIES_HF;
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        String cfg = Files.readString(src.resolve("tokenizer_config.json")).trim();
        cfg = cfg.substring(0, cfg.lastIndexOf('}')) + ", \"chat_template\": \"" + TEMPLATE + "\"}";
        Files.writeString(dir.resolve("tokenizer_config.json"), cfg);
        return dir;
    }
}
