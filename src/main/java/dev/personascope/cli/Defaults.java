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

    /** The default model of every command: the bundled stories260K until the persona organism exists. */
    static Path model() {
        Path p = home().resolve("assets/stories260K/hf");
        if (!Files.exists(p)) {
            throw new IllegalStateException("no --model given and the bundled model is missing at " + p);
        }
        return p;
    }
}
