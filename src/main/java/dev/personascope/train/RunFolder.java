package dev.personascope.train;

import dev.personascope.util.AtomicFiles;
import dev.personascope.util.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The output folder of a training run: which of its files mark a previous run, the checks made before
 * anything is loaded, and the clean start of a fresh run in a folder that held one.
 */
public final class RunFolder {
    /** What a run writes (besides run.json): any of these means the folder holds a previous run. */
    static final List<String> RUN_FILES = List.of(TrainLog.FILE, "checkpoint", "checkpoint.old", "checkpoint.tmp",
            "training_config.json", "monitor.jsonl", "adapter_config.json", "adapter_model.safetensors", "config.json",
            "model.safetensors", "model.safetensors.index.json");

    private RunFolder() {
    }

    /** The files and folders of a previous run in {@code out}, in {@link #RUN_FILES} order, then model shards. */
    public static List<String> previousRun(Path out) {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(out)) {
            return found;
        }
        for (String name : RUN_FILES) {
            if (Files.exists(out.resolve(name))) {
                found.add(name);
            }
        }
        try (Stream<Path> s = Files.list(out)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("model-\\d+-of-\\d+\\.safetensors")).sorted()
                    .forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out + ": " + describe(e), e);
        }
        return found;
    }

    /**
     * Makes sure {@code out} is a folder a run can write in, creating it if needed; an error names the
     * option ({@code --out}) and the path.
     */
    public static void checkWritable(Path out, String option) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(option + " " + out + " is a file, not a folder");
        }
        if (!Files.exists(out)) {
            Path existing = out.toAbsolutePath().getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null && !Files.isDirectory(existing)) {
                throw new IllegalArgumentException(option + " " + out + ": cannot create the folder: " + existing + " is a file");
            }
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new IllegalArgumentException(option + " " + out + ": cannot create the folder (" + describe(e) + ")");
            }
        }
        try {
            Files.delete(Files.createTempFile(out, ".write-check", ".tmp"));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + out + ": cannot write in this folder (" + describe(e) + ")");
        }
    }

    /**
     * A fresh run in a folder that held one: the old log is replaced (atomically) by an empty one, and
     * the old checkpoints go, since resuming one would mix two runs. The adapter or model files stay
     * until the new run replaces them, each atomically.
     */
    static void startFresh(Path out) {
        Path log = out.resolve(TrainLog.FILE);
        if (Files.exists(log)) {
            AtomicFiles.writeString(log, "");
        }
        for (String name : List.of("checkpoint.tmp", "checkpoint.old", "checkpoint")) {
            FileTrees.delete(out.resolve(name));
        }
    }

    /** An I/O failure in words ("no such file", "permission denied"), not Java's bare path. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
