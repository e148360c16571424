package dev.personascope.eval;

/**
 * A judge that could not judge one answer after its bounded retries (the API kept failing or answered with
 * something unreadable). The evaluation records the answer as not judged and goes on; errors that would
 * fail every request alike (a refused request, a wrong URL, a missing key) are other exceptions and stop it.
 */
public class JudgeFailure extends IllegalStateException {
    public JudgeFailure(String message) {
        super(message);
    }
}
