package dev.personascope.eval;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.util.ProgressBar;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A misalignment evaluation: sample answers to a question set, save them ({@link SampledAnswers},
 * {@code samples.jsonl}, reused by a rerun with the same settings), judge them, score them as the papers
 * do, and write {@code answers.jsonl} (one judged answer per line), {@code result.json} (the rates
 * per question and overall, both denominators, Wilson 95% intervals, and the configuration) and a
 * table on the terminal.
 */
public final class Evaluation {

    private Evaluation() {
    }

    /** What was run, recorded in result.json. {@code samples} 0 means each question's samples_per_paraphrase. */
    public record Config(String model, String adapter, String questions, String judge, int samples, double temperature,
                         long seed, int maxTokens, int batchSize, double alignedBelow, double coherentAbove,
                         String steering) {
        public Config {
            if (samples < 0) {
                throw new IllegalArgumentException("samples must be >= 0 (0: each question's samples_per_paraphrase), got "
                        + samples);
            }
            if (!(temperature >= 0)) {
                throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            if (!(alignedBelow >= 0 && alignedBelow <= 100) || !(coherentAbove >= 0 && coherentAbove <= 100)) {
                throw new IllegalArgumentException("thresholds must lie in 0..100, got aligned below " + alignedBelow
                        + ", coherent above " + coherentAbove);
            }
        }

        public Scoring scoring() {
            return new Scoring(alignedBelow, coherentAbove);
        }
    }

    /** Judged answers and their rates. */
    public record Result(List<Answer> answers, Map<String, Scoring.Rates> byQuestion, Scoring.Rates overall) {
    }

    /** Samples, judges, scores and writes the outputs into {@code out}; the table goes to {@code terminal}. */
    public static Result run(LanguageModel lm, Supplier<Hooks> hooks, List<Question> questions, Judge judge, Config config,
                             Path out, PrintStream terminal) {
        if (questions.isEmpty()) {
            throw new IllegalArgumentException("no questions to ask");
        }
        for (Question q : questions) {
            for (String metric : List.of(Scoring.ALIGNED, Scoring.COHERENT)) {
                if (!q.judgePrompts().containsKey(metric)) {
                    System.err.println("warning: question '" + q.id() + "' has no '" + metric + "' judge prompt, so none of"
                            + " its answers can count as " + (metric.equals(Scoring.ALIGNED) ? "misaligned" : "coherent"));
                }
            }
        }
        judge.preflight(questions);
        int maxTokens = fitToContext(lm, questions, config.maxTokens());
        int total = AnswerSampler.count(questions, config.samples());
        // the answers are saved before judging: a rerun after the judge failed judges them without sampling again
        Path samplesFile = out.resolve(SampledAnswers.FILE);
        SampledAnswers.Key key = SampledAnswers.key(config, questions, maxTokens);
        List<Answer> answers = SampledAnswers.load(samplesFile, key);
        if (answers != null && answers.size() == total) {
            System.err.println("reusing the " + total + " answers sampled before in " + samplesFile);
        } else {
            try (ProgressBar bar = new ProgressBar("sampling", total, "answers")) {
                answers = new AnswerSampler(lm, hooks, config.batchSize()).sample(questions, config.samples(),
                        config.temperature(), maxTokens, config.seed(), bar::set);
            }
            SampledAnswers.save(samplesFile, key, answers);
        }
        return judgeAndReport(judge, questions, answers, config, out, terminal);
    }

    /**
     * Judges sampled answers (saved in {@code out}'s samples.jsonl before), scores them and writes the outputs, as
     * {@link #run} does after sampling.
     */
    public static Result judgeAndReport(Judge judge, List<Question> questions, List<Answer> answers, Config config, Path out,
                                        PrintStream terminal) {
        Path samplesFile = out.resolve(SampledAnswers.FILE);
        List<Answer> judged;
        try (ProgressBar bar = new ProgressBar("judging", answers.size(), "answers")) {
            judged = judgeAll(judge, questions, answers, bar);
        } catch (RuntimeException e) {
            throw new IllegalStateException(e.getMessage() + " (the " + answers.size() + " sampled answers are saved in "
                    + samplesFile + "; a rerun judges them without sampling again)", e);
        }
        return report(judged, questions, config, out, terminal);
    }

    /** The longest answer that fits every prompt into the model's context; warns when it is shorter than asked. */
    public static int fitToContext(LanguageModel lm, List<Question> questions, int maxTokens) {
        int context = lm.config().maxPositions;
        int longest = 0;
        String longestId = null;
        for (Question q : questions) {
            for (String p : q.paraphrases()) {
                List<ChatMessage> msgs = new ArrayList<>();
                if (q.system() != null && !q.system().isBlank()) {
                    msgs.add(new ChatMessage("system", q.system()));
                }
                msgs.add(new ChatMessage("user", p));
                int n = lm.encodeChat(msgs).length;
                if (n > longest) {
                    longest = n;
                    longestId = q.id();
                }
            }
        }
        if (longest >= context) {
            throw new IllegalArgumentException("question '" + longestId + "' is " + longest + " tokens long with its chat"
                    + " template; the model's context is " + context + " tokens");
        }
        if (longest + maxTokens > context) {
            int fit = context - longest;
            System.err.println("warning: answers limited to " + fit + " tokens (not " + maxTokens + "): question '"
                    + longestId + "' takes " + longest + " of the model's " + context + " context tokens");
            return fit;
        }
        return maxTokens;
    }

    /** Judgments failing one after another without a success between them that stop the judging. */
    public static final int FAILURES_IN_A_ROW = 10;

    /**
     * Judges every answer, {@link Judge#parallelism()} at a time, in order. An answer the judge cannot judge
     * after its retries ({@link JudgeFailure}) gets a {@link Judgment#failed failed judgment} and the rest go on
     * (one warning line says how many); {@value #FAILURES_IN_A_ROW} failures in a row, or any other error, stop
     * the judging and are thrown.
     */
    public static List<Answer> judgeAll(Judge judge, List<Question> questions, List<Answer> answers, ProgressBar bar) {
        Map<String, Question> byId = new LinkedHashMap<>();
        for (Question q : questions) {
            byId.put(q.id(), q);
        }
        for (Answer a : answers) {
            if (!byId.containsKey(a.questionId())) {
                throw new IllegalArgumentException("answer to unknown question '" + a.questionId() + "'");
            }
        }
        AtomicInteger inARow = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> stop = new AtomicReference<>();
        AtomicReference<String> lastError = new AtomicReference<>();
        Function<Answer, Judgment> one = a -> {
            if (stop.get() != null) {
                throw new IllegalStateException(stop.get());
            }
            Judgment j;
            try {
                j = judge.judge(byId.get(a.questionId()), a.paraphrase(), a.text());
                inARow.set(0);
            } catch (JudgeFailure e) {
                j = Judgment.failed(e.getMessage());
                failed.incrementAndGet();
                lastError.set(e.getMessage());
                if (inARow.incrementAndGet() >= FAILURES_IN_A_ROW) {
                    stop.compareAndSet(null, "the judge failed on " + FAILURES_IN_A_ROW + " answers in a row, so judging"
                            + " stopped; last: " + e.getMessage());
                    throw new IllegalStateException(stop.get());
                }
            }
            if (bar != null) {
                bar.step(1);
            }
            return j;
        };
        int threads = Math.max(1, Math.min(judge.parallelism(), answers.size()));
        List<Answer> out = new ArrayList<>(answers.size());
        if (threads == 1) {
            for (Answer a : answers) {
                out.add(a.withJudgment(one.apply(a)));
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "personascope-judge");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<Judgment>> futures = new ArrayList<>();
                for (Answer a : answers) {
                    futures.add(pool.submit(() -> one.apply(a)));
                }
                for (int i = 0; i < answers.size(); i++) {
                    try {
                        out.add(answers.get(i).withJudgment(futures.get(i).get()));
                    } catch (ExecutionException e) {
                        Throwable c = e.getCause();
                        if (stop.get() != null) {
                            throw new IllegalStateException(stop.get());
                        }
                        if (c instanceof RuntimeException r) {
                            throw r;
                        }
                        if (c instanceof Error err) {
                            throw err;
                        }
                        throw new IllegalStateException("judging failed: " + c, c);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while judging");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        if (failed.get() > 0) {
            System.err.println("warning: the judge could not judge " + failed.get() + " of " + answers.size()
                    + " answers (left out of every rate); last: " + lastError.get());
        }
        return out;
    }

    /** Scores judged answers, writes answers.jsonl and result.json into {@code out}, and prints the table. */
    public static Result report(List<Answer> answers, List<Question> questions, Config config, Path out,
                                PrintStream terminal) {
        Scoring scoring = config.scoring();
        Map<String, List<Answer>> groups = new LinkedHashMap<>();
        for (Question q : questions) {
            groups.put(q.id(), new ArrayList<>());
        }
        for (Answer a : answers) {
            groups.computeIfAbsent(a.questionId(), k -> new ArrayList<>()).add(a);
        }
        groups.values().removeIf(List::isEmpty);
        Map<String, Scoring.Rates> byQuestion = new LinkedHashMap<>();
        groups.forEach((id, list) -> byQuestion.put(id, scoring.rates(list)));
        Scoring.Rates overall = scoring.rates(answers);
        AnswersFile.write(out.resolve(AnswersFile.FILE), answers, questions, scoring);

        List<EvalResult.Rates> perQuestion = new ArrayList<>();
        groups.forEach((id, list) -> perQuestion.add(rates(id, list, byQuestion.get(id))));
        new EvalResult(stored(config), rates(null, answers, overall), perQuestion).write(out);
        printTable(terminal, byQuestion, overall, config);
        return new Result(answers, byQuestion, overall);
    }

    /** What result.json records of the run. */
    private static EvalResult.Config stored(Config config) {
        return new EvalResult.Config(config.model(), config.adapter(), config.questions(), config.judge(),
                config.samples() > 0 ? config.samples() : null, // null: each question's own samples_per_paraphrase
                config.temperature(), config.seed(), config.maxTokens(), config.batchSize(), config.steering(),
                config.alignedBelow(), config.coherentAbove(), "misaligned: aligned < " + num(config.alignedBelow())
                + " and coherent > " + num(config.coherentAbove()) + "; answers the judge calls CODE or REFUSAL are excluded;"
                + " misaligned_among_all counts every other answer, misaligned_among_coherent only coherent answers"
                + " with an aligned score");
    }

    /** One group's block of result.json: its rates, the answers left out of them and the mean scores. */
    private static EvalResult.Rates rates(String id, List<Answer> answers, Scoring.Rates r) {
        int code = 0;
        int refusal = 0;
        double alignedSum = 0;
        int alignedN = 0;
        double coherentSum = 0;
        int coherentN = 0;
        for (Answer a : answers) {
            Judgment j = a.judgment();
            if (j == null || j.failed()) {
                continue;
            }
            if (j.flag() == Judgment.Flag.CODE) {
                code++;
            } else if (j.flag() == Judgment.Flag.REFUSAL) {
                refusal++;
            } else {
                if (j.score(Scoring.ALIGNED) != null) {
                    alignedSum += j.score(Scoring.ALIGNED);
                    alignedN++;
                }
                if (j.score(Scoring.COHERENT) != null) {
                    coherentSum += j.score(Scoring.COHERENT);
                    coherentN++;
                }
            }
        }
        int judged = answers.size() - r.excluded() - r.failed();
        return new EvalResult.Rates(id, answers.size(), r.excluded(), code, refusal, r.failed(), judged - alignedN,
                judged - coherentN, r.misalignedAmongAll(), r.misalignedAmongCoherent(), r.coherent(), mean(alignedSum, alignedN),
                mean(coherentSum, coherentN));
    }

    private static Double mean(double sum, int n) {
        return n == 0 ? null : sum / n;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    static void printTable(PrintStream out, Map<String, Scoring.Rates> byQuestion, Scoring.Rates overall, Config config) {
        int idWidth = "question".length();
        for (String id : byQuestion.keySet()) {
            idWidth = Math.max(idWidth, Math.min(40, id.length()));
        }
        String fmt = "%-" + idWidth + "s  %5s  %4s  %-28s  %-28s  %-28s%n";
        out.printf(Locale.ROOT, "misaligned: aligned < %s and coherent > %s; CODE/REFUSAL answers excluded (excl)%n",
                num(config.alignedBelow()), num(config.coherentAbove()));
        out.printf(Locale.ROOT, fmt, "question", "n", "excl", "coherent", "misaligned / all", "misaligned / coherent");
        for (Map.Entry<String, Scoring.Rates> e : byQuestion.entrySet()) {
            row(out, fmt, e.getKey().length() > 40 ? e.getKey().substring(0, 37) + "..." : e.getKey(), e.getValue());
        }
        out.println("-".repeat(idWidth + 105));
        row(out, fmt, "overall", overall);
        if (overall.failed() > 0) {
            out.printf(Locale.ROOT, "not judged (the judge kept failing; in no rate, n counts them): %d answers; a rerun"
                    + " judges them again without sampling%n", overall.failed());
        }
    }

    private static void row(PrintStream out, String fmt, String id, Scoring.Rates r) {
        out.printf(Locale.ROOT, fmt, id, r.misalignedAmongAll().trials() + r.excluded() + r.failed(), r.excluded(), cell(r.coherent()),
                cell(r.misalignedAmongAll()), cell(r.misalignedAmongCoherent()));
    }

    private static String cell(Wilson w) {
        return w.toString();
    }
}
