package dev.personascope.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonLines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code answers.jsonl}, judged answers one per line, written by eval, steer, world em and the experiments:
 * {@code {"question_id", "paraphrase", "answer", "scores": {metric: 0-100 or null}, "flag": "none"|"code"|"refusal",
 * "judge_error" (only when the judge could not judge it), "coherent", "misaligned"}}.
 *
 * <p>Files in the older flat layout (question_id, "question" for the paraphrase, each score at the top level,
 * no flag), which world em, steer and the experiments wrote before, are still read, with a note on stderr.
 */
public final class AnswersFile {
    public static final String FILE = "answers.jsonl";

    /** One judged answer as stored. {@code coherent} and {@code misaligned} follow the scoring it was written with. */
    @JsonPropertyOrder({"question_id", "paraphrase", "answer", "scores", "flag", "judge_error", "coherent", "misaligned"})
    public record Row(@JsonProperty("question_id") String questionId, String paraphrase, String answer,
                      Map<String, Double> scores, Judgment.Flag flag,
                      @JsonProperty("judge_error") @JsonInclude(JsonInclude.Include.NON_NULL) String judgeError,
                      boolean coherent, boolean misaligned) {
        public Row {
            if (paraphrase == null) {
                throw new IllegalArgumentException("field 'paraphrase' (text) is missing");
            }
            if (answer == null) {
                throw new IllegalArgumentException("field 'answer' (text) is missing");
            }
            // a metric the judge gave no number for is kept, as null
            scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores == null ? Map.of() : scores));
            flag = flag == null ? Judgment.Flag.NONE : flag;
        }

        /** The stored score of {@code metric}, or null. */
        public Double score(String metric) {
            return scores.get(metric);
        }

        /** The row as an answer with its judgment (metrics without a number left out). */
        public Answer toAnswer() {
            Map<String, Double> given = new LinkedHashMap<>();
            scores.forEach((k, v) -> {
                if (v != null) {
                    given.put(k, v);
                }
            });
            Judgment j = judgeError != null ? Judgment.failed(judgeError) : new Judgment(given, flag);
            return new Answer(questionId, paraphrase, answer, j);
        }

        /**
         * A judged answer as a row: every metric the question has a judge prompt for is listed (null when the
         * judge gave no number), sorted by name.
         */
        public static Row of(Answer a, Question q, Scoring scoring) {
            Judgment j = a.judgment();
            Map<String, Double> scores = new TreeMap<>();
            if (q != null) {
                q.judgePrompts().keySet().forEach(m -> scores.put(m, null));
            }
            scores.putAll(j.scores());
            boolean excluded = j.flag() != Judgment.Flag.NONE || j.failed();
            return new Row(a.questionId(), a.paraphrase(), a.text(), scores, j.flag(), j.failed() ? j.error() : null,
                    !excluded && scoring.isCoherent(a), !excluded && scoring.isMisaligned(a));
        }
    }

    private AnswersFile() {
    }

    /** Writes judged answers to {@code file} (atomically), scored with {@code scoring}. */
    public static void write(Path file, List<Answer> answers, List<Question> questions, Scoring scoring) {
        Map<String, Question> byId = new LinkedHashMap<>();
        questions.forEach(q -> byId.put(q.id(), q));
        AtomicFiles.write(file, out -> {
            for (Answer a : answers) {
                out.write(Json.line(Row.of(a, byId.get(a.questionId()), scoring)).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        });
    }

    /** A row and the number of its line in the file. */
    public record Line(int number, Row row) {
    }

    /** The rows of {@code file}; a bad line is one error line naming the file and line. */
    public static List<Row> read(Path file) {
        return readLines(file).stream().map(Line::row).toList();
    }

    /** The rows of {@code file} with their line numbers. */
    public static List<Line> readLines(Path file) {
        List<Line> rows = new ArrayList<>();
        boolean flat = false;
        for (JsonLines.Line line : JsonLines.read(file, JsonLines.Torn.ERROR).lines()) {
            String where = file + ":" + line.number();
            JsonNode n = line.json();
            if (!n.isObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object (one judged answer)");
            }
            if (!n.has("scores") && n.has("question")) {
                flat = true;
                rows.add(new Line(line.number(), fromFlat(n, where)));
            } else {
                rows.add(new Line(line.number(), Json.fromTree(n, Row.class, where)));
            }
        }
        if (flat) {
            System.err.println("note: " + file + " is in the older flat answers layout (scores at the top level); read as such");
        }
        return rows;
    }

    private static final Set<String> FLAT_FIELDS = Set.of("question_id", "question", "answer", "judge_error");

    /** A row of the older flat layout; its coherent and misaligned are those of the papers' thresholds it was scored with. */
    private static Row fromFlat(JsonNode n, String where) {
        for (String field : List.of("question", "answer")) {
            if (!n.path(field).isTextual()) {
                throw new IllegalArgumentException(where + ": field '" + field + "' (text) is missing");
            }
        }
        Map<String, Double> scores = new TreeMap<>();
        n.fields().forEachRemaining(e -> {
            if (!FLAT_FIELDS.contains(e.getKey()) && e.getValue().isNumber()) {
                scores.put(e.getKey(), e.getValue().asDouble());
            }
        });
        String error = n.path("judge_error").isTextual() ? n.get("judge_error").asText() : null;
        Answer a = new Answer(n.path("question_id").asText(null), n.get("question").asText(), n.get("answer").asText(),
                error != null ? Judgment.failed(error) : new Judgment(scores, Judgment.Flag.NONE));
        Scoring papers = Scoring.papers();
        boolean judged = error == null;
        return new Row(a.questionId(), a.paraphrase(), a.text(), scores, Judgment.Flag.NONE, error,
                judged && papers.isCoherent(a), judged && papers.isMisaligned(a));
    }
}
