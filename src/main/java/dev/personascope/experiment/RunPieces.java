package dev.personascope.experiment;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.personascope.util.Json;
import dev.personascope.work.Pieces;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An experiment's runs as {@link Pieces}: run k keeps its files in its own folder and ends by writing its record
 * ({@code T}) to one JSON file there, the mark that it is done. A run whose file exists is not run again, so an
 * interrupted experiment resumes (with the same settings: a record is not checked against them), and after all runs
 * the driver reads the records back, in run order, whichever process or machine made them.
 *
 * @param <T> a run's record
 */
public abstract class RunPieces<T> implements Pieces {
    private final TypeReference<T> type;

    protected RunPieces(TypeReference<T> type) {
        this.type = type;
    }

    /** The file run {@code run} writes its record to, inside its own folder. */
    @Override
    public abstract Path output(int run);

    /** Computes run {@code run}, writing its other files to {@code dir} (which exists), and returns its record. */
    protected abstract T compute(int run, Path dir);

    @Override
    public void run(int piece) {
        Path file = output(piece).toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(file.getParent() + ": " + e.getMessage(), e);
        }
        Json.write(file, compute(piece, file.getParent()));
    }

    /** Run {@code run}'s record, as its file holds it. */
    public T read(int run) {
        return Json.read(output(run), type);
    }

    /** Every run's record, in run order (all must be done). */
    public List<T> readAll() {
        List<T> all = new ArrayList<>(count());
        for (int i = 0; i < count(); i++) {
            all.add(read(i));
        }
        return all;
    }

    /** Runs here, in order, every run not done yet: the single-process run without a {@code PieceRunner}. */
    public void runHere() {
        for (int i = 0; i < count(); i++) {
            if (!done(i)) {
                run(i);
            }
        }
    }
}
