package dev.personascope.monitor;

import dev.personascope.data.ChatExample;

import java.nio.file.Path;
import java.util.List;

/**
 * The default probe conversations for the models of an organism (e.g. the persona world's
 * evaluation prompts for the models {@code world pretrain} makes), offered by a plug-in.
 * Implementations are listed in {@code META-INF/services/dev.personascope.monitor.ProbeProvider} and
 * found by {@link MonitorProbes}.
 */
public interface ProbeProvider {
    /** The organism's name, e.g. "world". */
    String name();

    /** Whether the model folder {@code model} is one of this organism's models. */
    boolean recognises(Path model);

    /** The probes (e.g. prompts only: a user turn, with an optional system turn, each). */
    List<ChatExample> probes();
}
