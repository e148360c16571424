package dev.personascope.work;

import java.util.List;

/**
 * Rebuilds a job's {@link Pieces} from its arguments on an executor: a plug-in listed in
 * {@code META-INF/services/dev.personascope.work.PieceSource} (the command line is one: {@code cli}).
 */
public interface PieceSource {
    /** The name a {@link PieceJob} refers to this source by. */
    String name();

    /** The pieces of the job these arguments describe (nothing is loaded until a piece runs). */
    Pieces open(List<String> args);
}
