package dev.personascope.eval;

/**
 * A named judge offered by a plug-in (e.g. the persona world's exact judge, {@code --judge world}).
 * Implementations are listed in {@code META-INF/services/dev.personascope.eval.JudgeProvider} and
 * found by {@link JudgeFactory}.
 */
public interface JudgeProvider {
    /** The name {@code --judge} selects this judge by, e.g. "world". */
    String name();

    /** A new judge. */
    Judge create();
}
