package dev.personascope.sae;

import ai.djl.ndarray.NDManager;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.optim.Autograd;
import dev.personascope.util.Prefetcher;

import java.util.List;
import java.util.Random;

/**
 * Activations streamed from a model at a hook point into SAE training without storing them: forward
 * passes over the corpus (cycled) fill a shuffling buffer of bounded size, from which batches are
 * drawn at random, so consecutive tokens of one document do not end up in one batch. The forwards run ahead on a
 * background thread (at most half a buffer of activations waiting), so the trainer does not stall on them; the buffer
 * still takes them in corpus order at the same points (when half empty), so a seed gives the same batches whatever
 * the timing, the same as forwarding in place.
 */
public final class ModelActivations implements ActivationSource {
    private final LanguageModel lm;
    private final String hook;
    private final List<int[]> corpus;
    private final int docsPerForward;
    private final float[] buffer;
    private final int capacity;
    private final int dIn;
    private final Random random;
    private final boolean ahead;
    private Prefetcher<float[][]> forwards; // started by the first refill when running ahead
    private int size;
    private int nextDoc;
    private long tokensRead;

    /** @param bufferTokens vectors held for shuffling (memory: bufferTokens × d_in floats) */
    public ModelActivations(LanguageModel lm, String hook, List<int[]> corpus, int bufferTokens, long seed) {
        this(lm, hook, corpus, bufferTokens, seed, true);
    }

    /** @param ahead forwards run ahead on a background thread; false: in place, when the buffer needs them */
    ModelActivations(LanguageModel lm, String hook, List<int[]> corpus, int bufferTokens, long seed, boolean ahead) {
        HookPoint.validate(hook, lm.config().numLayers);
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("no documents to harvest activations from");
        }
        this.lm = lm;
        this.hook = hook;
        this.corpus = corpus;
        this.docsPerForward = 16;
        this.dIn = lm.config().hiddenSize;
        this.capacity = bufferTokens;
        this.buffer = new float[bufferTokens * dIn];
        this.random = new Random(seed);
        this.ahead = ahead;
    }

    @Override
    public int dIn() {
        return dIn;
    }

    public long tokensRead() {
        return tokensRead;
    }

    @Override
    public float[] next(int n) {
        if (capacity < 16384 || n > capacity / 4) {
            throw new IllegalArgumentException("shuffle buffer " + capacity + " must hold at least 16384 vectors and 4 batches of " + n);
        }
        if (size < capacity / 2) { // top up only when half empty, so that each forward's tokens are kept
            while (size < capacity - 8192) {
                refill();
            }
        }
        float[] out = new float[n * dIn];
        for (int i = 0; i < n; i++) {
            int j = random.nextInt(size);
            System.arraycopy(buffer, j * dIn, out, i * dIn, dIn);
            // move the last vector into the taken slot
            System.arraycopy(buffer, (size - 1) * dIn, buffer, j * dIn, dIn);
            size--;
        }
        return out;
    }

    /** The activations at {@code hook} of every real token of {@code docs}, document after document. */
    static float[][] capture(LanguageModel lm, String hook, List<int[]> docs) {
        CaptureHook cap = new CaptureHook(TokenScope.ALL);
        DecoderModel model = lm.model();
        try (NDManager scope = model.manager().newSubManager()) {
            model.forward(scope, TokenBatch.rightPadded(docs, 0, null), null, new Hooks().add(hook, cap), DecoderModel.Logits.NONE);
        }
        return cap.all();
    }

    /** Appends the activations of the next forward (as many as fit). */
    private void refill() {
        float[][] acts;
        if (ahead) {
            if (forwards == null) {
                forwards = new Prefetcher<>("activations of " + hook, capacity / 2, a -> a.length, this::nextForward);
            }
            acts = forwards.take();
        } else {
            acts = nextForward();
        }
        for (float[] v : acts) {
            tokensRead++;
            if (size < capacity) {
                System.arraycopy(v, 0, buffer, size * dIn, dIn);
                size++;
            }
        }
    }

    /** One forward over the next documents of the corpus (cycled), without recording gradients. */
    private float[][] nextForward() {
        List<int[]> docs = new java.util.ArrayList<>();
        for (int i = 0; i < docsPerForward; i++) {
            docs.add(corpus.get(nextDoc));
            nextDoc = (nextDoc + 1) % corpus.size();
        }
        return Autograd.untaped(() -> capture(lm, hook, docs));
    }

    /** Stops the forwards running ahead (after the one in progress). */
    @Override
    public void close() {
        if (forwards != null) {
            forwards.close();
        }
    }
}
