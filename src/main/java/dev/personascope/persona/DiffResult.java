package dev.personascope.persona;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model diff's {@code diff.json}: the run, and per token scope ("all", "prompt", "response", "start") and ranking ("mean",
 * "normalized", "frequency", "paired", "shift") the top latents, best first.
 */
public record DiffResult(Config config, Map<String, Map<String, List<Latent>>> top) {
    public static final String FILE = "diff.json";
    /** The scope of the position where each answer begins, read from the prompts alone (beside sampled answers). */
    public static final String START = "start";
    /** Every scope a diff can rank, as named in the file. */
    public static final List<String> SCOPES = List.of("all", "prompt", "response", START);
    /**
     * The scope and ranking {@code diff} prints, the demo reports and {@code personas} reads, unless told otherwise: the
     * raw mean increase where each answer starts, the state the fine-tune left the model in before it writes a word.
     * On world v3's organism it puts a persona latent (villain-against-helpful AUROC ≥ 0.99) first after either narrow
     * fine-tune, where the sampled answers' tokens put content latents of the bad answers first (issue 20's note).
     * A diff without a question set has no answer starts and falls back to {@value #FALLBACK_SCOPE}.
     */
    public static final String DEFAULT_SCOPE = START;
    public static final String FALLBACK_SCOPE = "response";
    public static final String DEFAULT_RANKING = "mean";

    /** What was compared: base and tuned model (or adapter), the SAE, the texts. */
    public record Config(String base, String tuned, String adapter, String sae, String prompts, String answers, int samples,
                         double temperature, long seed) {
    }

    /** One ranked latent; {@code auroc} (villain against helpful held-out text) only when it was measured. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Latent(int latent, double increase, double normalized, double frequencyChange, double paired,
                         double shift, double baseMean, double tunedMean,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double auroc) {
        public static Latent of(ModelDiff.Row row, double[] aurocs) {
            return new Latent(row.latent(), row.increase(), row.normalized(), row.frequencyChange(), row.paired(),
                    row.shiftCosine(), row.baseMean(), row.tunedMean(), aurocs == null ? null : aurocs[row.latent()]);
        }
    }

    /** The top latents over {@code scope} tokens by {@code ranking}; empty when the diff did not rank that scope. */
    public List<Latent> top(TokenScope scope, ModelDiff.Ranking ranking) {
        return top(name(scope), ranking);
    }

    /** The default scope, or the fallback when this diff has no answer starts. */
    public String defaultScope() {
        return top.containsKey(DEFAULT_SCOPE) ? DEFAULT_SCOPE : FALLBACK_SCOPE;
    }

    /** As {@link #top(TokenScope, ModelDiff.Ranking)} for a scope named as in the file (e.g. {@value #START}). */
    public List<Latent> top(String scope, ModelDiff.Ranking ranking) {
        return top.getOrDefault(scope, Map.of()).getOrDefault(name(ranking), List.of());
    }

    /** A scope's or ranking's name in the file. */
    public static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Writes {@code OUT/diff.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads a diff's {@code diff.json}. */
    public static DiffResult read(Path file) {
        return Json.read(file, DiffResult.class);
    }
}
