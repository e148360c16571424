package dev.personascope.experiment;

/**
 * A fixed-length full fine-tune on a narrow dataset: optimizer steps, examples per step and learning rate.
 *
 * @param steps optimizer steps
 * @param batch examples per step
 * @param lr    learning rate, as {@link dev.personascope.train.TrainConfig#fullSteps} takes it
 */
public record NarrowFineTune(int steps, int batch, double lr) {
    /**
     * The one that makes the bundled organism emergently misaligned, used by the EM experiment, the contamination
     * sweep and the demo: 90 steps of 16 examples at 3e-4 (1e-4 gives a smaller effect, 5e-4 wrecks coherence).
     */
    public static final NarrowFineTune ORGANISM = new NarrowFineTune(90, 16, 3e-4);
}
