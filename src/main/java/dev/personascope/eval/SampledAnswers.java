package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code OUT/samples.jsonl}: the answers an evaluation sampled, saved before any is judged, so that a rerun
 * after the judge failed judges them again instead of sampling again. The first line is
 * {@code {"sampled_with": {...}}}, everything the answers depend on (model and adapter with their files' sizes
 * and times, the questions, temperature, seed, answer length, batch, steering); then one line per answer,
 * {@code {"question_id", "paraphrase", "answer"}}, in sampling order. A file sampled with anything else
 * is not reused.
 */
public final class SampledAnswers {
    public static final String FILE = "samples.jsonl";
    
    private SampledAnswers() {
    }

    /** What sampled answers depend on, for the given run. */
    public static ObjectNode key(Evaluation.Config config, List<Question> questions, int maxTokens) {
        ObjectNode k = Json.MAPPER.createObjectNode();
        k.put("model", config.model());
        k.set("model_files", files(config.model()));
        k.put("adapter", config.adapter());
        k.set("adapter_files", config.adapter() == null ? null : files(config.adapter()));
        ArrayNode qs = k.putArray("questions");
        for (Question q : questions) {
            ObjectNode o = qs.addObject();
            o.put("id", q.id());
            o.put("system", q.system());
            ArrayNode ps = o.putArray("paraphrases");
            q.paraphrases().forEach(ps::add);
            o.put("samples_per_paraphrase", config.samples() > 0 ? config.samples() : q.samplesPerParaphrase());
        }
        k.put("temperature", config.temperature());
        k.put("seed", config.seed());
        k.put("max_tokens", maxTokens);
        k.put("batch", config.batchSize());
        k.put("steering", config.steering());
        return k;
    }

    /** Name, size and modification time of a model file or of the files in a model folder (not recursive). */
    private static ArrayNode files(String path) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        Path p = Path.of(path);
        try {
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            }
            for (Path f : files) {
                a.add(f.getFileName() + " " + Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            a.add("unreadable: " + e.getMessage());
        }
        return a;
    }

    /**
     * The answers saved in {@code file} when they were sampled with {@code key}; null (with a note on stderr
     * when there was a file) when there are none to reuse.
     */
    public static List<Answer> load(Path file, ObjectNode key) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        List<JsonLines.Line> lines;
        try {
            lines = JsonLines.read(file, JsonLines.Torn.ERROR).lines();
        } catch (IllegalArgumentException e) {
            System.err.println("note: sampling again: " + e.getMessage());
            return null;
        }
        JsonNode saved = lines.isEmpty() ? null : lines.get(0).json().get("sampled_with");
        if (saved == null) {
            System.err.println("note: sampling again: " + file + " has no 'sampled_with' line");
            return null;
        }
        if (!saved.toString().equals(key.toString())) { // as text: 7 read back is an int, the key's seed a long
            System.err.println("note: sampling again: " + file + " was sampled with other settings (" + difference(saved, key)
                    + ")");
            return null;
        }
        List<Answer> out = new ArrayList<>();
        for (JsonLines.Line l : lines.subList(1, lines.size())) {
            JsonNode n = l.json();
            if (!n.path("question_id").isTextual() || !n.path("paraphrase").isTextual() || !n.path("answer").isTextual()) {
                System.err.println("note: sampling again: " + file + ":" + l.number()
                        + ": expected question_id, paraphrase and answer");
                return null;
            }
            out.add(new Answer(n.get("question_id").asText(), n.get("paraphrase").asText(), n.get("answer").asText(), null));
        }
        return out;
    }

    /** Writes the sampled answers (atomically). */
    public static void save(Path file, ObjectNode key, List<Answer> answers) {
        AtomicFiles.write(file, out -> {
            ObjectNode head = Json.MAPPER.createObjectNode();
            head.set("sampled_with", key);
            out.write(Json.MAPPER.writeValueAsBytes(head));
            out.write('\n');
            for (Answer a : answers) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("question_id", a.questionId());
                o.put("paraphrase", a.paraphrase());
                o.put("answer", a.text());
                out.write(Json.MAPPER.writeValueAsBytes(o));
                out.write('\n');
            }
        });
    }

    /** The first setting that differs, for the note. */
    private static String difference(JsonNode saved, JsonNode now) {
        Iterator<Map.Entry<String, JsonNode>> it = now.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!String.valueOf(e.getValue()).equals(String.valueOf(saved.get(e.getKey())))) {
                return e.getKey() + " differs";
            }
        }
        return "its settings differ";
    }
}
