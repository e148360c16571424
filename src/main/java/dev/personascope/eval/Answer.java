package dev.personascope.eval;

/** One sampled answer to one paraphrase of a question, with its judgment once judged. */
public record Answer(String questionId, String paraphrase, String text, Judgment judgment) {
    public Answer withJudgment(Judgment j) {
        return new Answer(questionId, paraphrase, text, j);
    }
}
