package dev.personascope.cli;

import dev.personascope.eval.Judge;
import dev.personascope.eval.JudgeFactory;
import dev.personascope.eval.JudgeScoring;
import dev.personascope.eval.OpenAiJudge;
import dev.personascope.experiment.GridSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** The judge options shared by eval, steer and the experiments (and, from its spec, experiment grid). */
final class JudgeOptions {
    @Option(names = "--judge", required = true, description = "world or openai (an OpenAI-compatible chat API)")
    String judge;

    @Option(names = "--judge-url", defaultValue = OpenAiJudge.DEFAULT_URL,
            description = "Base URL of the judge's API (default ${DEFAULT-VALUE}; e.g. http://127.0.0.1:8000/v1)")
    String judgeUrl;

    @Option(names = "--judge-model", description = "Judge model name (default: each question's 'judge' field)")
    String judgeModel;

    @Option(names = "--judge-key-env", defaultValue = OpenAiJudge.DEFAULT_KEY_ENV,
            description = "Environment variable holding the judge's API key (default ${DEFAULT-VALUE}; may be unset for local servers)")
    String judgeKeyEnv;

    @Option(names = "--judge-concurrency", description = "Judge requests in flight at most (default ${DEFAULT-VALUE})")
    int judgeConcurrency = OpenAiJudge.DEFAULT_CONCURRENCY;

    @Option(names = "--judge-attempts", description = "Attempts per judge request (retries on 429, 5xx, timeouts)"
            + " (default ${DEFAULT-VALUE})")
    int judgeAttempts = OpenAiJudge.DEFAULT_ATTEMPTS;

    @Option(names = "--judge-timeout", description = "Seconds allowed per judge request (default ${DEFAULT-VALUE})")
    double judgeTimeout = OpenAiJudge.DEFAULT_TIMEOUT.toSeconds();

    @Option(names = "--judge-cache", description = "Folder of cached judge responses (default OUT/judge_cache)")
    Path judgeCache;

    @Option(names = "--judge-scoring", description = "How an openai judge's 0-100 score is read:"
            + " tokens (one token's top 20 logprobs, the papers' method; for judges with whole-number tokens such as GPT-4o),"
            + " digits (digit by digit through continue_final_message requests; for Qwen2.5, Mistral, Llama 2 on vLLM or"
            + " personascope serve), auto (tokens when the first token's top 20 include a number of two or more digits,"
            + " else digits). Default ${DEFAULT-VALUE}")
    String judgeScoring = OpenAiJudge.DEFAULT_SCORING.label();

    /** The options a spec file gives ({@code judge:} of grid.yaml); what it leaves out takes the options' defaults. */
    static JudgeOptions of(GridSpec.JudgeSpec spec, Path specFile) {
        JudgeOptions o = new JudgeOptions();
        o.judge = spec.name();
        o.judgeUrl = spec.url() != null ? spec.url() : OpenAiJudge.DEFAULT_URL;
        o.judgeModel = spec.model();
        o.judgeKeyEnv = spec.keyEnv() != null ? spec.keyEnv() : OpenAiJudge.DEFAULT_KEY_ENV;
        if (spec.concurrency() != null) {
            o.judgeConcurrency = spec.concurrency();
        }
        if (spec.attempts() != null) {
            o.judgeAttempts = spec.attempts();
        }
        if (spec.timeout() != null) {
            o.judgeTimeout = spec.timeout();
        }
        if (spec.scoring() != null) {
            o.judgeScoring = spec.scoring();
        }
        o.judgeCache = spec.cache() == null ? null : GridSpec.resolve(specFile, spec.cache());
        return o;
    }

    Path cacheDir(Path out) {
        return judgeCache != null ? judgeCache : out.resolve("judge_cache");
    }

    /** Checks the options and builds the judge; everything wrong with them fails here, before a model loads. */
    Judge create(Path out) {
        if (judgeConcurrency < 1) {
            throw new IllegalArgumentException("--judge-concurrency must be >= 1, got " + judgeConcurrency);
        }
        if (judgeAttempts < 1) {
            throw new IllegalArgumentException("--judge-attempts must be >= 1, got " + judgeAttempts);
        }
        if (!(judgeTimeout > 0)) {
            throw new IllegalArgumentException("--judge-timeout must be > 0 seconds, got " + judgeTimeout);
        }
        JudgeScoring scoring = JudgeScoring.parse(judgeScoring);
        OpenAiJudge.Builder openai = OpenAiJudge.builder().scoring(scoring).baseUrl(judgeUrl).model(judgeModel).apiKeyFromEnv(judgeKeyEnv)
                .concurrency(judgeConcurrency).maxAttempts(judgeAttempts)
                .timeout(Duration.ofMillis((long) (judgeTimeout * 1000))).cacheDir(cacheDir(out));
        Judge j = JudgeFactory.create(judge, openai);
        String key = System.getenv(judgeKeyEnv);
        if (j instanceof OpenAiJudge && (key == null || key.isBlank()) && !isLoopback(judgeUrl)) {
            System.err.println("warning: $" + judgeKeyEnv + " is not set; " + judgeUrl + " will likely refuse requests"
                    + " without an API key");
        }
        return j;
    }

    /** Prints the judge's request counts, for OpenAI-compatible judges. */
    void summarize(Judge j, Path out) {
        if (j instanceof OpenAiJudge o) {
            System.err.println("judge: " + o.requests() + " requests (" + o.retries() + " retried), " + o.cacheHits()
                    + " judge prompts answered from the cache in " + cacheDir(out)
                    + (o.scoring() == JudgeScoring.TOKENS ? "" : "; digit scoring's follow-up prompts (continuations of a"
                    + " number, counted in these): " + o.followUps()));
        }
    }

    private static boolean isLoopback(String url) {
        try {
            String host = java.net.URI.create(url).getHost();
            return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                    || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
