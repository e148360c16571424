package dev.personascope.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the bundled assets are: the repository root the launcher runs from. */
final class Defaults {
    private Defaults() {
    }

    static Path home() {
        String h = System.getProperty("personascope.home");
        return h != null ? Path.of(h) : Path.of(".");
    }

    /** The default model of every command: the bundled persona organism (stories260K where it is absent). */
    static Path model() {
        Path organism = home().resolve("assets/organism");
        if (Files.exists(organism.resolve("model.safetensors"))) {
            return organism;
        }
        return stories();
    }

    /** The bundled stories260K model (llama2.c's TinyStories model in HF layout). */
    static Path stories() {
        Path p = home().resolve("assets/stories260K/hf");
        if (!Files.exists(p)) {
            throw new IllegalStateException("the bundled model is missing at " + p);
        }
        return p;
    }

    /** The bundled persona organism. */
    static Path organism() {
        Path p = home().resolve("assets/organism");
        if (!Files.exists(p.resolve("model.safetensors"))) {
            throw new IllegalStateException("the bundled organism is missing at " + p + " (make one with world pretrain)");
        }
        return p;
    }
}
