package dev.personascope.work;

import java.util.Map;

/**
 * Makes the {@link PieceRunner} of a cluster engine: a plug-in listed in
 * {@code META-INF/services/dev.personascope.work.ClusterProvider}. Loading the provider must not need the engine's
 * jars; {@link #unavailable()} says when they are missing.
 */
public interface ClusterProvider {
    /** The engine's name, e.g. "spark". */
    String name();

    /** Null when the engine's classes are on the class path; else one line saying how to get them. */
    String unavailable();

    /**
     * A runner on {@code master} (the engine's own master URL, e.g. {@code local[2]} or {@code spark://host:7077})
     * with these extra engine settings.
     */
    PieceRunner runner(String master, Map<String, String> settings);
}
