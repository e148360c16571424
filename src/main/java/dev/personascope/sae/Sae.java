package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sparse autoencoder over activations x [N, d_in]: latents z = f(W_encᵀ(x − b_dec) + b_enc) [N, d_sae]
 * and reconstruction x̂ = z W_dec + b_dec, with the parameters named and shaped as SAELens saves them
 * (W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in]). Subclasses choose f.
 * Owns its parameters' native memory.
 */
public abstract class Sae implements AutoCloseable {
    protected final SaeConfig config;
    protected final NDManager manager;
    protected final Map<String, NDArray> params = new LinkedHashMap<>();

    protected Sae(SaeConfig config, NDManager parent) {
        this.config = config;
        this.manager = parent.newSubManager();
    }

    public SaeConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** Parameters by SAELens name. */
    public Map<String, NDArray> parameters() {
        return params;
    }

    public NDArray wEnc() {
        return params.get("W_enc");
    }

    public NDArray bEnc() {
        return params.get("b_enc");
    }

    public NDArray wDec() {
        return params.get("W_dec");
    }

    public NDArray bDec() {
        return params.get("b_dec");
    }

    /** Pre-activations W_encᵀ(x − b_dec) + b_enc, [N, d_sae]; results live in x's manager. */
    public NDArray preActivations(NDArray x) {
        NDArray in = config.applyBDecToInput ? x.sub(bDec()) : x;
        return in.matMul(wEnc()).add(bEnc());
    }

    /** Sparse latents [N, d_sae]. */
    public abstract NDArray encode(NDArray x);

    /** The latents used in training, from pre-activations of a whole batch (BatchTopK differs from encode). */
    public NDArray trainingLatents(NDArray pre) {
        throw new UnsupportedOperationException(config.architecture + " SAEs are not trained here");
    }

    /** The sparsity penalty added to the reconstruction loss (L1 for ReLU SAEs; none for TopK kinds). */
    public NDArray sparsityPenalty(NDArray z) {
        return null;
    }

    /** Whether training keeps exactly {@code config.k} latents per token (TopK), so that the sparse trainer applies. */
    public boolean keepsKPerToken() {
        return false;
    }

    /** Whether dead latents get the AuxK loss (TopK kinds). */
    public boolean usesAuxK() {
        return false;
    }

    /** The SAE to save after training (BatchTopK becomes JumpReLU); this one for the others. */
    public Sae forSaving() {
        return this;
    }

    /** x̂ = z W_dec + b_dec, [N, d_in]. */
    public NDArray decode(NDArray z) {
        return z.matMul(wDec()).add(bDec());
    }

    public NDArray reconstruct(NDArray x) {
        return decode(encode(x));
    }

    /** Zero-filled SAELens-shaped parameters, to be filled by initialisation or loading. */
    protected void allocate() {
        params.put("W_enc", manager.zeros(new Shape(config.dIn, config.dSae)));
        params.put("b_enc", manager.zeros(new Shape(config.dSae)));
        params.put("W_dec", manager.zeros(new Shape(config.dSae, config.dIn)));
        params.put("b_dec", manager.zeros(new Shape(config.dIn)));
    }

    @Override
    public void close() {
        manager.close();
    }
}
