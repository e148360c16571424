package dev.personascope.train;

/** Linear warm-up to the peak rate, then linear or cosine decay to zero at the last step. */
public record LrSchedule(String kind, double peak, int warmupSteps, int totalSteps) {
    public LrSchedule {
        if (!kind.equals("linear") && !kind.equals("cosine") && !kind.equals("constant")) {
            throw new IllegalArgumentException("schedule must be linear, cosine or constant, got '" + kind + "'");
        }
    }

    /** The rate for optimizer step {@code step} (1-based). */
    public double at(int step) {
        if (warmupSteps > 0 && step <= warmupSteps) {
            return peak * step / warmupSteps;
        }
        if (kind.equals("constant") || totalSteps <= warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return kind.equals("linear") ? peak * (1 - progress) : peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
