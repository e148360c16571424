package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonLines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code OUT/samples.jsonl}: the answers an evaluation sampled, saved before any is judged, so that a rerun
 * after the judge failed judges them again instead of sampling again. The first line is
 * {@code {"sampled_with": {...}}}, everything the answers depend on (model and adapter with their files' sizes
 * and times, the questions, temperature, seed, the answer length asked and the one that fits the model's context,
 * batch, steering); then one line per answer,
 * {@code {"question_id", "paraphrase", "answer"}}, in sampling order. A file sampled with anything else
 * is not reused.
 */
public final class SampledAnswers {
    public static final String FILE = "samples.jsonl";

    /** Everything the sampled answers depend on: the file's first line, {@code {"sampled_with": ...}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Key(String model, List<String> modelFiles, String adapter, List<String> adapterFiles,
                      List<AskedQuestion> questions, double temperature, long seed, int maxTokensAsked, int maxTokens,
                      int batch, String steering) {
        /** This key with the answer length that fits the context set to {@code maxTokens}. */
        public Key withMaxTokens(int maxTokens) {
            return loaded(maxTokens, steering);
        }

        /** This key with what only the loaded model tells: the answer length that fits and the steering's description. */
        public Key loaded(int maxTokens, String steering) {
            return new Key(model, modelFiles, adapter, adapterFiles, questions, temperature, seed, maxTokensAsked, maxTokens,
                    batch, steering);
        }
    }

    /** A question as it was asked: its system prompt, paraphrases and answers per paraphrase. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AskedQuestion(String id, String system, List<String> paraphrases, int samplesPerParaphrase) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    private record Header(Key sampledWith) {
    }

    /** One sampled answer, in sampling order. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    private record Sample(String questionId, String paraphrase, String answer) {
        Sample {
            if (questionId == null || paraphrase == null || answer == null) {
                throw new IllegalArgumentException("expected question_id, paraphrase and answer");
            }
        }
    }

    private SampledAnswers() {
    }

    /**
     * What sampled answers depend on, for the given run; {@code maxTokens} is the answer length that fits the model's
     * context ({@link Evaluation#fitToContext}), 0 where it is not known yet (no model loaded).
     */
    public static Key key(Evaluation.Config config, List<Question> questions, int maxTokens) {
        List<AskedQuestion> qs = questions.stream().map(q -> new AskedQuestion(q.id(), q.system(), q.paraphrases(),
                config.samples() > 0 ? config.samples() : q.samplesPerParaphrase())).toList();
        return new Key(config.model(), files(config.model()), config.adapter(),
                config.adapter() == null ? null : files(config.adapter()), qs, config.temperature(), config.seed(), config.maxTokens(),
                maxTokens,
                config.batchSize(), config.steering());
    }

    /** Name, size and modification time of a model file or of the files in a model folder (not recursive). */
    private static List<String> files(String path) {
        List<String> a = new ArrayList<>();
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
    public static List<Answer> load(Path file, Key key) {
        Saved s = load(file, key, false);
        return s == null ? null : s.answers();
    }

    /**
     * As {@link #load(Path, Key)}, where the key's fitted answer length is not known ({@code key.maxTokens()} 0: the
     * model is not loaded here): the saved one is taken for it. Returns the answers with the key they were saved with.
     */
    public static Saved loadAsAsked(Path file, Key key) {
        return load(file, key, true);
    }

    private static Saved load(Path file, Key key, boolean fitUnknown) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Saved saved = read(file);
            if (fitUnknown) {
                key = key.withMaxTokens(saved.key().maxTokens());
            }
            if (!saved.key().equals(key)) {
                System.err.println("note: sampling again: " + file + " was sampled with other settings ("
                        + difference(saved.key(), key) + ")");
                return null;
            }
            return saved;
        } catch (IllegalArgumentException e) {
            System.err.println("note: sampling again: " + e.getMessage());
            return null;
        }
    }

    /** The key on a samples file's first line and its answers. */
    public record Saved(Key key, List<Answer> answers) {
    }

    /** Reads a samples file written by {@link #save}; one line naming the file and line when it is not one. */
    public static Saved read(Path file) {
        List<JsonLines.Line> lines = JsonLines.read(file, JsonLines.Torn.ERROR).lines();
        Key saved = lines.isEmpty() ? null : Json.fromTree(lines.get(0).json(), Header.class, file + ":1").sampledWith();
        if (saved == null) {
            throw new IllegalArgumentException(file + " has no 'sampled_with' line");
        }
        List<Answer> out = new ArrayList<>();
        for (JsonLines.Line l : lines.subList(1, lines.size())) {
            Sample a = Json.fromTree(l.json(), Sample.class, file + ":" + l.number());
            out.add(new Answer(a.questionId(), a.paraphrase(), a.answer(), null));
        }
        return new Saved(saved, out);
    }

    /** Writes the sampled answers (atomically). */
    public static void save(Path file, Key key, List<Answer> answers) {
        AtomicFiles.write(file, out -> {
            out.write((Json.line(new Header(key)) + "\n").getBytes(StandardCharsets.UTF_8));
            for (Answer a : answers) {
                out.write((Json.line(new Sample(a.questionId(), a.paraphrase(), a.text())) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** The first setting that differs, for the note. */
    private static String difference(Key saved, Key now) {
        JsonNode was = Json.toTree(saved);
        JsonNode is = Json.toTree(now);
        Iterator<String> names = is.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!is.get(name).equals(was.get(name))) {
                return name + " differs";
            }
        }
        return "its settings differ";
    }
}
