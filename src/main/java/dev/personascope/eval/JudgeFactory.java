package dev.personascope.eval;

import java.util.List;

/** The judges {@code personascope eval --judge NAME} can use. */
public final class JudgeFactory {
    public static final List<String> NAMES = List.of("world", "openai");

    private JudgeFactory() {
    }

    /**
     * The judge named {@code name}: "openai" is built by {@code openai} (URL, model, key, cache are the
     * caller's); "world" is {@link #world}.
     */
    public static Judge create(String name, OpenAiJudge.Builder openai) {
        return switch (name == null ? "" : name) {
            case "world" -> world();
            case "openai" -> openai.build();
            default -> throw new IllegalArgumentException("unknown judge '" + name + "' (available: "
                    + String.join(", ", NAMES) + ")");
        };
    }

    /** The persona world's exact judge (for questions of the world, e.g. from {@code world datasets}). */
    public static Judge world() {
        return new dev.personascope.world.WorldJudge();
    }
}
