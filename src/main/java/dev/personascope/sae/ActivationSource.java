package dev.personascope.sae;

/** Batches of activation vectors for SAE training: synthetic, harvested on disk, or streamed from a model. */
public interface ActivationSource extends AutoCloseable {
    /** The width of each vector. */
    int dIn();

    /** The next {@code n} vectors, row-major [n, d_in]; sources cycle or refill as they need. */
    float[] next(int n);

    /** Stops any work the source does in the background (none by default). */
    @Override
    default void close() {
    }
}
