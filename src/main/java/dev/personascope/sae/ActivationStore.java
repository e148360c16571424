package dev.personascope.sae;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.ProgressBar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Activations harvested to disk: {@code chunk-NNNNN.safetensors} files, each one tensor
 * {@code activations} [n, d_in] (chunk k: documents k·D .. k·D + D - 1, {@link HarvestPieces}), and, once all are
 * written, {@code store.json} (model, hook, d_in, chunks, tokens, documents). A rerun of an interrupted harvest keeps
 * the chunks written. Memory is one chunk whatever the corpus size.
 */
public final class ActivationStore {
    /** {@code store.json}: what the store holds and how far the harvest got. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Meta(String model, String hook, int dIn, int chunks, long tokens, int documents) {
    }

    private ActivationStore() {
    }

    /**
     * Harvests {@code hook} over the corpus into {@code dir} in this process, skipping the chunks written before (an
     * interrupted harvest resumes); returns the token count. The same chunks as a harvest in pieces on a cluster.
     */
    public static long harvest(LanguageModel lm, String hook, List<int[]> corpus, Path dir, int chunkTokens) {
        HookPoint.validate(hook, lm.config().numLayers);
        checkOwnStore(dir, hook, lm.config().hiddenSize);
        int longest = corpus.stream().mapToInt(d -> d.length).max().orElse(1);
        HarvestPieces pieces = new HarvestPieces(() -> lm, m -> corpus, hook, corpus.size(), longest, chunkTokens, dir);
        try (ProgressBar bar = new ProgressBar("harvest " + hook, pieces.count(), "chunks")) {
            for (int i = 0; i < pieces.count(); i++) {
                if (!pieces.done(i)) {
                    pieces.run(i);
                }
                bar.step(1);
            }
        }
        return finish(dir, String.valueOf(lm.source()), hook, pieces);
    }

    /** Refuses a folder holding another hook's store (or one of another width, when {@code dIn} is above 0). */
    public static void checkOwnStore(Path dir, String hook, int dIn) {
        Path meta = dir.resolve("store.json");
        if (Files.exists(meta)) {
            Meta s = read(meta);
            if (!hook.equals(s.hook()) || (dIn > 0 && s.dIn() != dIn)) {
                throw new IllegalArgumentException(meta + ": a store of " + s.hook() + " is already here");
            }
        }
    }

    /**
     * Writes store.json once every chunk of {@code pieces} is in {@code dir} (read back for their sizes); returns the
     * token count.
     */
    public static long finish(Path dir, String model, String hook, HarvestPieces pieces) {
        long tokens = 0;
        int d = -1;
        for (int i = 0; i < pieces.count(); i++) {
            Path chunk = chunkPath(dir, i);
            SafeTensors.Entry e = SafeTensors.index(chunk).get("activations");
            if (e == null || e.shape().length != 2) {
                throw new IllegalStateException(chunk + ": expected tensor 'activations' [n, d_in]");
            }
            tokens += e.shape()[0];
            d = (int) e.shape()[1];
        }
        Json.write(dir.resolve("store.json"), new Meta(model, hook, d, pieces.count(), tokens, pieces.documents()));
        AtomicFiles.removeLeftovers(dir); // a chunk's temp file, left by an executor killed while writing it
        return tokens;
    }

    static void writeChunk(Path dir, int index, List<float[]> rows, int d) {
        float[] flat = new float[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * d, d);
        }
        SafeTensors.write(chunkPath(dir, index), List.of(new HostTensor("activations", new long[] {rows.size(), d}, flat)),
                Map.of());
    }

    static Path chunkPath(Path dir, int index) {
        return dir.resolve(String.format("chunk-%05d.safetensors", index));
    }

    static Meta read(Path meta) {
        return Json.read(meta, Meta.class);
    }

    /** The stored activations as a training source: chunks in a seeded random order, rows drawn at random. */
    public static ActivationSource open(Path dir, long seed) {
        Path meta = dir.resolve("store.json");
        if (!Files.exists(meta)) {
            throw new IllegalArgumentException(dir + ": no store.json (harvest activations first)");
        }
        Meta s = read(meta);
        return new StoredActivations(dir, s.dIn(), s.chunks(), seed);
    }

    /** Reads one chunk at a time into memory and draws its rows in random order, cycling over chunks. */
    private static final class StoredActivations implements ActivationSource {
        private final Path dir;
        private final int dIn;
        private final int chunks;
        private final java.util.Random random;
        private final List<Integer> order = new ArrayList<>();
        private float[] current = new float[0];
        private int[] rowOrder = new int[0];
        private int next;

        StoredActivations(Path dir, int dIn, int chunks, long seed) {
            if (chunks == 0) {
                throw new IllegalArgumentException(dir + ": the store has no chunks");
            }
            this.dir = dir;
            this.dIn = dIn;
            this.chunks = chunks;
            this.random = new java.util.Random(seed);
        }

        @Override
        public int dIn() {
            return dIn;
        }

        @Override
        public float[] next(int n) {
            float[] out = new float[n * dIn];
            for (int i = 0; i < n; i++) {
                if (next >= rowOrder.length) {
                    loadNextChunk();
                }
                System.arraycopy(current, rowOrder[next++] * dIn, out, i * dIn, dIn);
            }
            return out;
        }

        private void loadNextChunk() {
            if (order.isEmpty()) {
                for (int c = 0; c < chunks; c++) {
                    order.add(c);
                }
                java.util.Collections.shuffle(order, random);
            }
            Path file = chunkPath(dir, order.remove(order.size() - 1));
            HostTensor t = SafeTensors.load(file).get("activations");
            if (t == null || t.shape().length != 2 || t.shape()[1] != dIn) {
                throw new IllegalArgumentException(file + ": expected tensor 'activations' [n, " + dIn + "]");
            }
            current = t.data();
            int rows = (int) t.shape()[0];
            rowOrder = new int[rows];
            for (int i = 0; i < rows; i++) {
                rowOrder[i] = i;
            }
            for (int i = rows - 1; i > 0; i--) { // Fisher-Yates
                int j = random.nextInt(i + 1);
                int tmp = rowOrder[i];
                rowOrder[i] = rowOrder[j];
                rowOrder[j] = tmp;
            }
            next = 0;
        }
    }
}
