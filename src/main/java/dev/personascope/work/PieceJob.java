package dev.personascope.work;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What an executor needs to rebuild a job's {@link Pieces}: the {@link PieceSource} that makes them and its
 * arguments (for the command line: the command's own arguments), plus the system properties the driver runs with
 * that the pieces depend on (e.g. {@code ai.djl.offline}). {@code id} is unique per run, so that executors keep one
 * job's loaded model while it runs and never mix two runs.
 */
public record PieceJob(String id, String source, List<String> args, Map<String, String> properties) implements Serializable {
    public PieceJob {
        args = List.copyOf(args);
        properties = Map.copyOf(properties);
    }
}
