package dev.personascope.persona;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswerSampler;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversations built from questions, for diffing, persona vectors and monitor probes: the prompts alone, with
 * an empty answer, or with answers sampled from a model; and the one reader of a prompts file (question set or
 * chat JSONL).
 */
public final class Conversations {
    private Conversations() {
    }

    /** A question set (YAML: each paraphrase's prompt alone) or chat JSONL (whole conversations). */
    public static List<ChatExample> read(Path file) {
        return isQuestionSet(file) ? promptsOnly(QuestionSets.read(file)) : ChatJsonl.read(file);
    }

    /** Whether a prompts file is a question set (YAML) rather than chat JSONL. */
    public static boolean isQuestionSet(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    /**
     * Each question's prompt with {@code samples} answers per paraphrase sampled from {@code answerer}
     * (with its hooks), as one user–assistant conversation per answer.
     */
    public static List<ChatExample> sampled(LanguageModel answerer, Hooks hooks, List<Question> questions, int samples,
                                            double temperature, int maxTokens, long seed) {
        List<Answer> answers = new AnswerSampler(answerer, () -> hooks, 64).sample(questions, samples, temperature, maxTokens, seed);
        return withPrompts(questions, answers);
    }

    /** Conversations of answers to their questions (the question's system prompt, if any, comes first). */
    public static List<ChatExample> withPrompts(List<Question> questions, List<Answer> answers) {
        Map<String, Question> byId = new LinkedHashMap<>();
        questions.forEach(q -> byId.put(q.id(), q));
        List<ChatExample> out = new ArrayList<>();
        for (Answer a : answers) {
            out.add(conversation(byId.get(a.questionId()), a.paraphrase(), a.text(), a.questionId()));
        }
        return out;
    }

    /** The prompts alone (no answer): for prompt-token diffing without sampling. */
    public static List<ChatExample> promptsOnly(List<Question> questions) {
        return everyParaphrase(questions, null);
    }

    /**
     * Each prompt with an empty assistant turn: its only response token is the template's end-of-turn
     * marker, read where the answer would begin, so a mean over response tokens is the state the prompt
     * sets up before any answer text.
     */
    public static List<ChatExample> answerStarts(List<Question> questions) {
        return everyParaphrase(questions, "");
    }

    /** One conversation per paraphrase, with this answer (null: none). */
    private static List<ChatExample> everyParaphrase(List<Question> questions, String answer) {
        List<ChatExample> out = new ArrayList<>();
        for (Question q : questions) {
            for (String p : q.paraphrases()) {
                out.add(conversation(q, p, answer, q.id()));
            }
        }
        return out;
    }

    static ChatExample conversation(Question q, String prompt, String answer, String origin) {
        List<ChatMessage> msgs = new ArrayList<>();
        if (q != null && q.system() != null && !q.system().isBlank()) {
            msgs.add(new ChatMessage("system", q.system()));
        }
        msgs.add(new ChatMessage("user", prompt));
        if (answer != null) {
            msgs.add(new ChatMessage("assistant", answer));
        }
        return new ChatExample(msgs, origin);
    }
}
