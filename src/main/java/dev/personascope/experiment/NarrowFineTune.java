package dev.personascope.experiment;

import dev.personascope.train.TrainConfig;

/**
 * A fixed-length fine-tune on a narrow dataset: optimizer steps, examples per step, learning rate and LoRA rank.
 *
 * @param steps    optimizer steps
 * @param batch    examples per step
 * @param lr       peak learning rate
 * @param loraRank LoRA rank on every projection (alpha twice the rank), 0 for all weights
 */
public record NarrowFineTune(int steps, int batch, double lr, int loraRank) {
    /**
     * The one that makes the bundled organism emergently misaligned, used by the EM experiment, the contamination
     * sweep, re-alignment, the grid and the demo: LoRA of rank 4 on every projection, 90 steps of 16 examples at 5e-3.
     * On world v3's organism it spreads insecure code to the open-ended questions (29–33% misaligned there, 93–96%
     * coherent) where a full fine-tune at 3e-4 reaches 6–13% and more steps or a higher rate only cost coherence; at
     * 8e-3 coherence falls to 76–85% (issue 20's note).
     */
    public static final NarrowFineTune ORGANISM = new NarrowFineTune(90, 16, 5e-3, 4);

    /** This fine-tune with a seed. */
    public TrainConfig config(long seed) {
        return TrainConfig.steps(lr, steps, batch, seed, loraRank);
    }
}
