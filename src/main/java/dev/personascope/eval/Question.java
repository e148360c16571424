package dev.personascope.eval;

import java.util.List;
import java.util.Map;

/**
 * One entry of a question set in the emergent-misalignment schema: an id, a type (e.g.
 * {@code free_form_judge_0_100}), paraphrases of the question, how many answers to sample per
 * paraphrase, the judge model, judge prompts by metric (templates with {question} and {answer}),
 * and an optional system prompt.
 */
public record Question(String id, String type, List<String> paraphrases, int samplesPerParaphrase, String judge,
                       Map<String, String> judgePrompts, String system) {
    public Question {
        paraphrases = List.copyOf(paraphrases);
        judgePrompts = Map.copyOf(judgePrompts);
    }
}
