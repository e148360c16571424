package dev.personascope.sae;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An SAE's configuration as SAELens stores it in {@code cfg.json}: widths, architecture ("topk",
 * "standard" for ReLU + L1, "jumprelu"), k for TopK, dtype, whether b_dec is subtracted from the input,
 * activation normalisation, and metadata naming the model, hook point and context size.
 */
public final class SaeConfig {
    /** The tokens per document this project trains, harvests and evaluates SAEs on. */
    public static final int DEFAULT_CONTEXT_SIZE = 512;

    public int dIn;
    public int dSae;
    public String architecture = TrainableArchitecture.TOPK.toString();
    /** Active latents per token (topk and batchtopk). */
    public int k = 32;
    public String dtype = "float32";
    public boolean applyBDecToInput = true;
    /** "none" or "expected_average_only_in" (inputs scaled so that their mean squared norm is d_in). */
    public String normalizeActivations = "none";
    public String modelName = "";
    public String hookName = "";
    public int contextSize = DEFAULT_CONTEXT_SIZE;
    /** Other cfg.json fields, kept so that a folder round-trips. */
    public Map<String, Object> extra = new LinkedHashMap<>();

    public SaeConfig copy() {
        SaeConfig c = new SaeConfig();
        c.dIn = dIn;
        c.dSae = dSae;
        c.architecture = architecture;
        c.k = k;
        c.dtype = dtype;
        c.applyBDecToInput = applyBDecToInput;
        c.normalizeActivations = normalizeActivations;
        c.modelName = modelName;
        c.hookName = hookName;
        c.contextSize = contextSize;
        c.extra = new LinkedHashMap<>(extra);
        return c;
    }
}
