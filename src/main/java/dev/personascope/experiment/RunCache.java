package dev.personascope.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * An experiment's runs kept as JSON files: a run whose file exists is read back instead of run again,
 * so an interrupted experiment resumes where it stopped.
 */
final class RunCache {
    
    private RunCache() {
    }

    /** The JSON in {@code file}, or the run's result, written to {@code file} (its folder made first) and returned. */
    static JsonNode getOrRun(Path file, Supplier<JsonNode> run) {
        try {
            if (Files.exists(file)) {
                return Json.MAPPER.readTree(file.toFile());
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        JsonNode n = run.get();
        AtomicFiles.writeJson(file, n);
        return n;
    }
}
