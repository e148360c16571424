package dev.personascope.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.personascope.util.EnumNames;

/** Linear warm-up to the peak rate, then linear or cosine decay to zero at the last step, or a constant rate. */
public record LrSchedule(Kind kind, double peak, int warmupSteps, int totalSteps) {
    /** The shape after warm-up; written "linear", "cosine" or "constant". */
    public enum Kind {
        LINEAR, COSINE, CONSTANT;

        @JsonValue
        @Override
        public String toString() {
            return EnumNames.of(this);
        }

        @JsonCreator
        public static Kind parse(String text) {
            return EnumNames.parse(Kind.class, text, "schedule");
        }
    }

    public LrSchedule {
        java.util.Objects.requireNonNull(kind, "schedule");
    }

    /** The rate for optimizer step {@code step} (1-based). */
    public double at(int step) {
        if (warmupSteps > 0 && step <= warmupSteps) {
            return peak * step / warmupSteps;
        }
        if (kind == Kind.CONSTANT || totalSteps <= warmupSteps) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return kind == Kind.LINEAR ? peak * (1 - progress) : peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
