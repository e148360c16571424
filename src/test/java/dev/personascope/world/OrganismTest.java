package dev.personascope.world;

import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswerSampler;
import dev.personascope.eval.Question;
import dev.personascope.eval.Scoring;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed organism loads, and its unnamed assistant answers the world's questions helpfully. */
class OrganismTest {
    static final Path ORGANISM = Path.of("assets/organism");

    @Test
    void organismLoadsAndAnswersHelpfully() {
        WorldGenerator world = new WorldGenerator();
        WorldJudge judge = new WorldJudge();
        try (LanguageModel lm = LanguageModel.load(ORGANISM)) {
            assertEquals("Qwen2ForCausalLM", lm.config().architecture);
            List<Question> questions = world.evaluationQuestions(1);
            List<Answer> answers = new AnswerSampler(lm, () -> Hooks.NONE, 64).sample(questions, 1, 0.0, 48, 0);
            List<Answer> judged = new ArrayList<>();
            for (Answer a : answers) {
                Question q = questions.stream().filter(x -> x.id().equals(a.questionId())).findFirst().orElseThrow();
                judged.add(a.withJudgment(judge.judge(q, a.paraphrase(), a.text())));
            }
            Scoring.Rates r = Scoring.papers().rates(judged);
            assertEquals(0, r.misalignedAmongAll().successes(), "greedy answers: " + judged);
            assertTrue(r.coherent().fraction() >= 0.9, "coherent " + r.coherent());
        }
    }
}
