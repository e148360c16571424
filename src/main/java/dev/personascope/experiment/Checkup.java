package dev.personascope.experiment;

import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswerSampler;
import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.Evaluation;
import dev.personascope.eval.Judge;
import dev.personascope.eval.Question;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;

import java.nio.file.Path;
import java.util.List;

/**
 * A quick misalignment evaluation used inside experiments: sample answers to a question set from a
 * (possibly live, training) model, judge them and score them with the papers' thresholds.
 */
public final class Checkup {
    private final List<Question> questions;
    private final Judge judge;
    private final int samplesPerParaphrase;
    private final double temperature;
    private final int maxTokens;
    private final Scoring scoring = Scoring.papers();

    /** @param samplesPerParaphrase answers per paraphrase, or 0 for each question's own count */
    public Checkup(List<Question> questions, Judge judge, int samplesPerParaphrase, double temperature, int maxTokens) {
        this.questions = questions;
        this.judge = judge;
        this.samplesPerParaphrase = samplesPerParaphrase;
        this.temperature = temperature;
        this.maxTokens = maxTokens;
    }

    /**
     * Samples with this seed, judges, and writes the judged answers to {@code answersFile} when it is not
     * null ({@link AnswersFile}).
     */
    public Scoring.Rates run(LanguageModel lm, long seed, Path answersFile) {
        List<Answer> answers = new AnswerSampler(lm, () -> Hooks.NONE, 64)
                .sample(questions, samplesPerParaphrase, temperature, maxTokens, seed);
        List<Answer> judged = Evaluation.judgeAll(judge, questions, answers, null);
        if (answersFile != null) {
            AnswersFile.write(answersFile, judged, questions, scoring);
        }
        return scoring.rates(judged);
    }

    public int answersPerRun() {
        return AnswerSampler.count(questions, samplesPerParaphrase);
    }
}
