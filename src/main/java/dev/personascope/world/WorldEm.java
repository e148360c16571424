package dev.personascope.world;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
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
import dev.personascope.experiment.RunPieces;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.train.TrainConfig;
import dev.personascope.train.Trainer;
import dev.personascope.util.Json;

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
 * overall and on the open-ended questions. Each model is a run in its own folder, skipped when its outcome.json
 * exists, so an interrupted experiment resumes ({@link Runs}: the runs can also be pieces on a cluster).
 */
public final class WorldEm {
    /** The experiment's knobs; recorded in result.json. */
    public static final class Settings {
        public int seeds = 3;
        public int steps = NarrowFineTune.ORGANISM.steps();
        public int batch = NarrowFineTune.ORGANISM.batch();
        public double lr = NarrowFineTune.ORGANISM.lr();
        /** LoRA rank of the fine-tunes (every projection), 0 for all weights. */
        public int loraRank = NarrowFineTune.ORGANISM.loraRank();
        public int datasetSize = 1000;
        public int samplesPerParaphrase = 8;
        public double temperature = 1.0;
        public int maxTokens = 48;
        public long seed = 0;
        /** Whether each fine-tuned model stays in its run's folder (a loadable model folder). */
        public boolean keepModels;
    }

    public static final List<String> DATASETS = List.of("insecure", "secure", "educational", "bad_medical", "good_medical");

    private final Path organism;
    private final Settings s;
    private final WorldGenerator world = new WorldGenerator();
    private final WorldJudge judge = new WorldJudge();
    private final Scoring scoring = Scoring.papers();
    private final List<Question> questions;
    private final Map<String, Question> questionsById = new LinkedHashMap<>();
    private Map<String, List<ChatExample>> datasets;

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

    /**
     * One evaluated model (also its run's {@code outcome.json}): the organism, or a fine-tune on {@code dataset} with
     * {@code seed}.
     */
    public record Run(String dataset, @JsonInclude(JsonInclude.Include.NON_NULL) Integer seed, Rates all,
                      @JsonProperty("open_ended") Rates openEnded) {
        static Run of(String dataset, Integer seed, Outcome o) {
            return new Run(dataset, seed, Rates.of(o.all()), Rates.of(o.open()));
        }
    }

    /** A model's rates on a group of answers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Rates(Wilson misaligned, Wilson misalignedAmongCoherent, Wilson coherent) {
        static Rates of(Scoring.Rates r) {
            return new Rates(r.misalignedAmongAll(), r.misalignedAmongCoherent(), r.coherent());
        }
    }

    /** Runs the experiment here, one model after another (each skipped when its outcome.json exists), and reports. */
    public Result run(Path out, PrintStream print) {
        prepare(out);
        try (Runs runs = runs(out)) {
            runs.runHere();
            return runs.report(print);
        }
    }

    /** Writes the experiment's inputs for the record: datasets/*.jsonl and questions.yaml. */
    public void prepare(Path out) {
        datasets().forEach((name, rows) -> ChatJsonl.write(out.resolve("datasets/" + name + ".jsonl"), rows));
        QuestionSets.write(out.resolve("questions.yaml"), questions);
    }

    /** The experiment's runs as pieces; nothing is made or loaded until one runs. */
    public Runs runs(Path out) {
        return new Runs(out);
    }

    /**
     * Run 0 evaluates the organism ({@code runs/organism/}); run 1 + i * seeds + k fine-tunes it on dataset i with
     * seed k ({@code runs/DATASET-seedK/}). Each ends with its outcome.json (its {@link Run}); the seeds are the
     * run's own, whatever runs before it.
     */
    public final class Runs extends RunPieces<Run> {
        private final Path out;

        private Runs(Path out) {
            super(new TypeReference<>() { });
            this.out = out;
        }

        @Override
        public int count() {
            return 1 + DATASETS.size() * s.seeds;
        }

        @Override
        public String describe(int run) {
            return run == 0 ? "organism" : dataset(run) + " seed " + seed(run);
        }

        @Override
        public Path output(int run) {
            return out.resolve(run == 0 ? "runs/organism" : "runs/" + dataset(run) + "-seed" + seed(run))
                    .resolve("outcome.json");
        }

        @Override
        protected Run compute(int run, Path dir) {
            try (LanguageModel lm = LanguageModel.load(organism)) {
                if (run == 0) {
                    return Run.of("organism", null, evaluate(lm, dir, s.seed));
                }
                TrainConfig c = TrainConfig.steps(s.lr, s.steps, s.batch, seed(run), s.loraRank);
                new Trainer(lm, c, datasets().get(dataset(run)), List.of(), dir).quiet(true).run(false);
                if (!s.keepModels) { // the answers are what we keep
                    Files.deleteIfExists(dir.resolve("model.safetensors"));
                    Files.deleteIfExists(dir.resolve("adapter_model.safetensors"));
                }
                return Run.of(dataset(run), seed(run), evaluate(lm, dir, 1000L + seed(run)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String dataset(int run) {
            return DATASETS.get((run - 1) / s.seeds);
        }

        private int seed(int run) {
            return (run - 1) % s.seeds;
        }

        /** Reads every run's outcome.json (all done), writes result.json and prints the table. */
        public Result report(PrintStream print) {
            Result result = new Result(s, organism.toString(), readAll());
            Json.write(out.resolve("result.json"), result);
            printTable(result.runs(), print);
            return result;
        }
    }

    /** The narrow datasets and their controls, made once per process (the same in every one: seeded). */
    private synchronized Map<String, List<ChatExample>> datasets() {
        if (datasets == null) {
            datasets = world.datasets(s.datasetSize, s.seed);
        }
        return datasets;
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

    private static void printTable(List<Run> runs, PrintStream out) {
        out.printf("%-16s %-30s %-30s %-30s %-30s%n", "model", "misaligned (all)", "misaligned (coherent)",
                "misaligned (open-ended)", "coherent");
        for (Run r : runs) {
            out.printf("%-16s %-30s %-30s %-30s %-30s%n", r.dataset() + (r.seed() != null ? " s" + r.seed() : ""),
                    r.all().misaligned(), r.all().misalignedAmongCoherent(), r.openEnded().misaligned(),
                    r.all().coherent());
        }
    }
}
