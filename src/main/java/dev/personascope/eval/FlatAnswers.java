package dev.personascope.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * Judged answers in the flat {@code answers.jsonl} layout that {@code world em}, {@code steer} and the
 * experiments write: one line per answer with question_id, question (the paraphrase), answer and each
 * judge score at the top level (an answer the judge could not judge has none, and a {@code judge_error}).
 * ({@code eval} writes its own layout, with the scores nested under "scores" and the judge's flag;
 * {@code persona.JudgedAnswers} reads both.)
 */
public final class FlatAnswers {
    private FlatAnswers() {
    }

    /** Writes {@code answers} to {@code file} (atomically). */
    public static void write(Path file, List<Answer> answers) {
        AtomicFiles.write(file, out -> {
            for (Answer a : answers) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("question_id", a.questionId());
                o.put("question", a.paraphrase());
                o.put("answer", a.text());
                a.judgment().scores().forEach(o::put);
                if (a.judgment().failed()) {
                    o.put("judge_error", a.judgment().error()); // no scores: readers skip it as unscored
                }
                out.write(Json.MAPPER.writeValueAsBytes(o));
                out.write('\n');
            }
        });
    }
}
