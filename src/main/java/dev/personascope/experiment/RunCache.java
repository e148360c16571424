package dev.personascope.experiment;

import com.fasterxml.jackson.core.type.TypeReference;
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

    /** The record in {@code file}, or the run's result, written to {@code file} (its folder made first) and returned. */
    static <T> T getOrRun(Path file, TypeReference<T> type, Supplier<T> run) {
        if (Files.exists(file)) {
            return Json.read(file, type);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        T result = run.get();
        Json.write(file, result);
        return result;
    }
}
