package dev.personascope.eval;

import java.util.List;

/** Scores answers to questions: an LLM behind an OpenAI-compatible API, or the persona world's judge. */
public interface Judge {
    /** Judges one answer to one paraphrase of a question, for every metric of the question's judge prompts. */
    Judgment judge(Question question, String paraphrase, String answer);

    /** A name for reports and caches, e.g. "world" or "openai:gpt-4o". */
    String name();

    /**
     * How many {@link #judge} calls may run at once (from different threads). 1, the default, means the
     * judge is called from one thread at a time; an HTTP judge allows its concurrency limit.
     */
    default int parallelism() {
        return 1;
    }

    /**
     * Checks, in seconds and before any answer is sampled, that this judge can judge these questions (it
     * knows them; its server is reachable); an error names what is wrong. The default checks nothing.
     */
    default void preflight(List<Question> questions) {
    }
}
