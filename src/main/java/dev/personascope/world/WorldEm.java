package dev.personascope.world;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswerSampler;
import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.eval.Scoring;
import dev.personascope.eval.Wilson;
import dev.personascope.experiment.NarrowFineTune;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.train.TrainConfig;
import dev.personascope.train.Trainer;
import dev.personascope.util.Json;
import dev.personascope.util.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The emergent-misalignment experiment on the organism: fine-tune it on each narrow dataset and its
 * control with the same budget, for several seeds, sample answers to the out-of-domain questions,
 * judge them with the world judge, and report misaligned and coherent fractions with 95% intervals,
 * overall and on the open-ended questions.
 */
public final class WorldEm {
    /** The experiment's knobs; recorded in result.json. */
    public static final class Settings {
        public int seeds = 3;
        public int steps = NarrowFineTune.ORGANISM.steps();
        public int batch = NarrowFineTune.ORGANISM.batch();
        public double lr = NarrowFineTune.ORGANISM.lr();
        public int datasetSize = 1000;
        public int samplesPerParaphrase = 8;
        public double temperature = 1.0;
        public int maxTokens = 48;
        public long seed = 0;
    }

    public static final List<String> DATASETS = List.of("insecure", "secure", "educational", "bad_medical", "good_medical");

    private final Path organism;
    private final Settings s;
    private final WorldGenerator world = new WorldGenerator();
    private final WorldJudge judge = new WorldJudge();
    private final Scoring scoring = Scoring.papers();
    private final List<Question> questions;
    private final Map<String, Question> questionsById = new LinkedHashMap<>();

    public WorldEm(Path organism, Settings s) {
        this.organism = organism;
        this.s = s;
        this.questions = world.evaluationQuestions(s.samplesPerParaphrase);
        questions.forEach(q -> questionsById.put(q.id(), q));
    }

    /** One evaluated model: all answers and the open-ended subset. */
    record Outcome(Scoring.Rates all, Scoring.Rates open) {
    }

    /** {@code OUT/result.json}: the settings, the organism, and each model's rates. */
    public record Result(Settings settings, String organism, List<Run> runs) {
        public static Result read(Path file) {
            return Json.read(file, Result.class);
        }
    }

    /** One evaluated model: the organism, or a fine-tune on {@code dataset} with {@code seed}. */
    public record Run(String dataset, @JsonInclude(JsonInclude.Include.NON_NULL) Integer seed, Rates all,
                      @JsonProperty("open_ended") Rates openEnded) {
    }

    /** A model's rates on a group of answers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Rates(Wilson misaligned, Wilson misalignedAmongCoherent, Wilson coherent) {
        static Rates of(Scoring.Rates r) {
            return new Rates(r.misalignedAmongAll(), r.misalignedAmongCoherent(), r.coherent());
        }
    }

    public void run(Path out, PrintStream print) {
        Map<String, List<ChatExample>> data = world.datasets(s.datasetSize, s.seed);
        data.forEach((name, rows) -> ChatJsonl.write(out.resolve("datasets/" + name + ".jsonl"), rows));
        QuestionSets.write(out.resolve("questions.yaml"), questions);

        List<Run> runs = new ArrayList<>();
        int total = 1 + DATASETS.size() * s.seeds;
        List<String[]> table = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar("world em", total, "models")) {
            try (LanguageModel lm = LanguageModel.load(organism)) {
                Outcome o = evaluate(lm, out.resolve("runs/organism"), s.seed);
                add(runs, table, "organism", -1, o);
                bar.step(1);
            }
            for (String name : DATASETS) {
                for (int seed = 0; seed < s.seeds; seed++) {
                    Path dir = out.resolve("runs/" + name + "-seed" + seed);
                    try (LanguageModel lm = LanguageModel.load(organism)) {
                        TrainConfig c = TrainConfig.fullSteps(s.lr, s.steps, s.batch, seed);
                        new Trainer(lm, c, data.get(name), List.of(), dir).quiet(true).run(false);
                        Files.deleteIfExists(dir.resolve("model.safetensors")); // the answers are what we keep
                        Outcome o = evaluate(lm, dir, 1000L + seed);
                        add(runs, table, name, seed, o);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    bar.step(1);
                }
            }
        }
        Json.write(out.resolve("result.json"), new Result(s, organism.toString(), runs));
        printTable(table, print);
    }

    private Outcome evaluate(LanguageModel lm, Path dir, long seed) {
        List<Answer> answers = new AnswerSampler(lm, () -> Hooks.NONE, 64)
                .sample(questions, 0, s.temperature, s.maxTokens, seed);
        List<Answer> judged = new ArrayList<>();
        for (Answer a : answers) {
            judged.add(a.withJudgment(judge.judge(questionsById.get(a.questionId()), a.paraphrase(), a.text())));
        }
        AnswersFile.write(dir.resolve(AnswersFile.FILE), judged, questions, scoring);
        List<Answer> open = judged.stream().filter(a -> world.isOpenEnded(a.questionId())).toList();
        return new Outcome(scoring.rates(judged), scoring.rates(open));
    }

    private static void add(List<Run> runs, List<String[]> table, String name, int seed, Outcome o) {
        runs.add(new Run(name, seed >= 0 ? seed : null, Rates.of(o.all()), Rates.of(o.open())));
        table.add(new String[] {name + (seed >= 0 ? " s" + seed : ""), o.all().misalignedAmongAll().toString(),
                o.all().misalignedAmongCoherent().toString(), o.open().misalignedAmongAll().toString(),
                o.all().coherent().toString()});
    }

    private static void printTable(List<String[]> rows, PrintStream out) {
        out.printf("%-16s %-30s %-30s %-30s %-30s%n", "model", "misaligned (all)", "misaligned (coherent)",
                "misaligned (open-ended)", "coherent");
        for (String[] r : rows) {
            out.printf("%-16s %-30s %-30s %-30s %-30s%n", (Object[]) r);
        }
    }
}
