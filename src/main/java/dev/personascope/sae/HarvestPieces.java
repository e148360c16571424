package dev.personascope.sae;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.work.Pieces;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A harvest as pieces: piece k is chunk k, the activations of documents k·D .. k·D + D - 1 of the corpus, captured 16
 * documents per forward as every harvest does, so a chunk holds the same bytes whichever process made it. D (documents
 * per chunk) is fixed by the chunk size asked and the context length, so that no chunk holds more than
 * {@code chunkTokens} vectors and no piece needs to know the documents' lengths before it runs.
 */
public final class HarvestPieces implements Pieces {
    /** Documents per forward, in every harvest. */
    static final int FORWARD_DOCUMENTS = 16;

    private final Supplier<LanguageModel> model;
    private final Function<LanguageModel, List<int[]>> corpus;
    private final String hook;
    private final int documents;
    private final int chunkDocuments;
    private final Path dir;
    private LanguageModel lm;
    private List<int[]> docs;

    /**
     * @param model     loads the model, on the first piece run here
     * @param corpus    the corpus's documents, tokenized by the loaded model
     * @param documents how many documents the corpus has (known without the model)
     * @param maxLength the longest a document can be, in tokens
     */
    public HarvestPieces(Supplier<LanguageModel> model, Function<LanguageModel, List<int[]>> corpus, String hook,
                         int documents, int maxLength, int chunkTokens, Path dir) {
        if (documents < 1) {
            throw new IllegalArgumentException("no documents to harvest activations from");
        }
        if (chunkTokens < 1) {
            throw new IllegalArgumentException("--chunk-tokens must be >= 1, got " + chunkTokens);
        }
        this.model = model;
        this.corpus = corpus;
        this.hook = hook;
        this.documents = documents;
        this.chunkDocuments = chunkDocuments(chunkTokens, maxLength);
        this.dir = dir;
    }

    /** D: whole forwards of 16 documents, as many as fit chunkTokens at the longest document length (at least one). */
    static int chunkDocuments(int chunkTokens, int maxLength) {
        int forwards = chunkTokens / (FORWARD_DOCUMENTS * Math.max(1, maxLength));
        return FORWARD_DOCUMENTS * Math.max(1, forwards);
    }

    @Override
    public int count() {
        return (documents + chunkDocuments - 1) / chunkDocuments;
    }

    @Override
    public String describe(int piece) {
        int start = piece * chunkDocuments;
        return String.format(Locale.ROOT, "documents %d-%d", start, Math.min(documents, start + chunkDocuments) - 1);
    }

    @Override
    public Path output(int piece) {
        return ActivationStore.chunkPath(dir, piece);
    }

    @Override
    public void run(int piece) {
        if (lm == null) {
            lm = model.get();
            HookPoint.validate(hook, lm.config().numLayers);
            docs = corpus.apply(lm);
            if (docs.size() != documents) {
                throw new IllegalStateException("the corpus has " + docs.size() + " documents here, " + documents
                        + " on the driver");
            }
        }
        List<float[]> rows = new java.util.ArrayList<>();
        int end = Math.min(documents, (piece + 1) * chunkDocuments);
        for (int start = piece * chunkDocuments; start < end; start += FORWARD_DOCUMENTS) {
            Collections.addAll(rows, ModelActivations.capture(lm, hook, docs.subList(start, Math.min(end, start + FORWARD_DOCUMENTS))));
        }
        ActivationStore.writeChunk(dir, piece, rows, lm.config().hiddenSize);
    }

    /** The documents harvested. */
    public int documents() {
        return documents;
    }

    @Override
    public void close() {
        if (lm != null) {
            lm.close();
            lm = null;
        }
    }
}
