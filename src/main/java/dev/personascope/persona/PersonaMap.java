package dev.personascope.persona;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.sae.Sae;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A persona map: which SAE latents belong to which persona. Every document is spoken by one group (a persona) of
 * one kind (a coarser label, e.g. helpful, villain, sarcastic); a document's score for a latent is its mean
 * activation over the response tokens (as {@link LatentAurocs}), and a latent's AUROC for a group is how well that
 * score separates the group's documents from all the others (0.5: not at all; 1: the group always scores higher).
 */
public final class PersonaMap {
    /** A conversation with the group who speaks in it and the group's kind. */
    public record Labelled(ChatExample conversation, String group, String kind) {
    }

    /** A latent to map, with its rank and increase in a model diff when it came from one. */
    public record Pick(int latent, Integer diffRank, Double increase) {
    }

    /** What was mapped: the SAE, the diff the latents came from (or null), the model and the texts. */
    public record Config(String sae, String diff, String model, int documents, long seed, int top, String scope,
                         String ranking) {
    }

    /** A window of tokens around a document's peak activation of a latent (over its response tokens). */
    public record Text(int document, String group, int position, double value, List<String> tokens, double[] values) {
        /**
         * The window as one line, the peak token in [[ ]]: tokens that carry their own spaces (" word") are joined as
         * they are, others (word-level vocabularies) with a space between.
         */
        public String marked() {
            String sep = tokens.stream().anyMatch(t -> !t.isEmpty() && Character.isWhitespace(t.charAt(0))) ? "" : " ";
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i).replace('\n', ' ');
                sb.append(i > 0 ? sep : "").append(values[i] == value ? "[[" + t + "]]" : t);
            }
            return sb.toString();
        }
    }

    /**
     * One latent's row: its AUROC per group and per kind (in the order of {@link Result#groups} and {@link Result#kinds};
     * null where a group has no documents), the best group, and the documents where it peaks highest.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Latent(int latent, @JsonInclude(JsonInclude.Include.NON_NULL) Integer diffRank,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double increase, List<Double> groupAurocs,
                         List<Double> kindAurocs, String bestGroup, Double bestAuroc, List<Text> top) {
    }

    /** {@code personas.json}: the run, the hook, the column names, and one row per latent. */
    public record Result(Config config, String hook, List<String> groups, List<String> kinds, List<Latent> latents) {
        public static final String FILE = "personas.json";

        /** A latent's AUROC for a kind against the rest, or null (no such kind, or no documents of it). */
        public Double kindAuroc(Latent l, String kind) {
            int k = kinds.indexOf(kind);
            return k < 0 ? null : l.kindAurocs().get(k);
        }

        /** Writes {@code OUT/personas.json}. */
        public void write(Path out) {
            Json.write(out.resolve(FILE), this);
        }

        public static Result read(Path file) {
            return Json.read(file, Result.class);
        }
    }

    private final LanguageModel lm;
    private final Sae sae;
    private final List<Labelled> docs;
    private final List<String> groups;
    private final List<String> kinds;
    private final List<TokenActivations.Document> activations;
    /** [document][latent]: the highest activation over the document's response tokens. */
    private final float[][] peaks;
    /** [latent][group] and [latent][kind]: AUROCs, NaN where undefined. */
    private final double[][] groupAurocs;
    private final double[][] kindAurocs;

    private PersonaMap(LanguageModel lm, Sae sae, List<Labelled> docs, List<String> groups, List<String> kinds,
                       List<TokenActivations.Document> activations, float[][] means, float[][] peaks) {
        this.lm = lm;
        this.sae = sae;
        this.docs = docs;
        this.groups = groups;
        this.kinds = kinds;
        this.activations = activations;
        this.peaks = peaks;
        this.groupAurocs = aurocs(means, docs.stream().map(Labelled::group).toList(), groups);
        this.kindAurocs = aurocs(means, docs.stream().map(Labelled::kind).toList(), kinds);
    }

    /**
     * Runs the documents through the model, encodes their response tokens with the SAE (at its hook) and measures
     * every latent's AUROC per group and per kind. {@code groups} and {@code kinds} are the columns, in order; every
     * document's labels must be among them.
     */
    public static PersonaMap measure(LanguageModel lm, Sae sae, List<Labelled> docs, List<String> groups, List<String> kinds) {
        for (int i = 0; i < docs.size(); i++) {
            Labelled d = docs.get(i);
            if (!groups.contains(d.group()) || !kinds.contains(d.kind())) {
                throw new IllegalArgumentException("document " + i + " is labelled " + d.group() + " ("
                        + d.kind() + "), not one of the groups " + groups + " and kinds " + kinds);
            }
        }
        String hook = sae.config().hookName;
        List<ChatEncoder.Encoded> encoded = new ChatEncoder(lm, TokenActivations.MAX_TOKENS)
                .encodeAll(docs.stream().map(Labelled::conversation).toList());
        List<TokenActivations.Document> acts = TokenActivations.run(lm, encoded, List.of(hook));
        int dSae = sae.config().dSae;
        float[][] means = new float[acts.size()][];
        float[][] peaks = new float[acts.size()][dSae];
        for (int i = 0; i < acts.size(); i++) {
            ResponseLatents r = ResponseLatents.of(sae, acts.get(i), hook);
            means[i] = r.mean();
            for (float[] z : r.latents()) {
                for (int l = 0; l < dSae; l++) {
                    peaks[i][l] = Math.max(peaks[i][l], z[l]);
                }
            }
        }
        return new PersonaMap(lm, sae, List.copyOf(docs), List.copyOf(groups), List.copyOf(kinds), acts, means, peaks);
    }

    /**
     * Every latent's AUROC for each name against the rest: {@code means[document][latent]} are the documents' scores,
     * {@code labels} their names. NaN where a name has no documents or every document.
     */
    static double[][] aurocs(float[][] means, List<String> labels, List<String> names) {
        int dSae = means.length == 0 ? 0 : means[0].length;
        double[][] out = new double[dSae][names.size()];
        for (int n = 0; n < names.size(); n++) {
            String name = names.get(n);
            int[] in = IntStream.range(0, labels.size()).filter(i -> labels.get(i).equals(name)).toArray();
            int[] rest = IntStream.range(0, labels.size()).filter(i -> !labels.get(i).equals(name)).toArray();
            for (int l = 0; l < dSae; l++) {
                out[l][n] = in.length == 0 || rest.length == 0 ? Double.NaN : Auroc.of(column(means, in, l), column(means, rest, l));
            }
        }
        return out;
    }

    private static double[] column(float[][] means, int[] docs, int latent) {
        double[] v = new double[docs.length];
        for (int i = 0; i < docs.length; i++) {
            v[i] = means[docs[i]][latent];
        }
        return v;
    }

    /** The index of the largest finite value, or -1 when there is none. */
    static int best(double[] values) {
        int best = -1;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i]) && (best < 0 || values[i] > values[best])) {
                best = i;
            }
        }
        return best;
    }

    /** The {@code n} latents whose best group AUROC is highest, best first (ties: lower latent first). */
    public List<Integer> strongest(int n) {
        return strongest(groupAurocs, n);
    }

    /** The {@code n} rows of {@code aurocs[latent][group]} whose largest finite value is highest (ties: lower latent first). */
    static List<Integer> strongest(double[][] aurocs, int n) {
        Comparator<Integer> byBest = Comparator.comparingDouble(l -> {
            int b = best(aurocs[l]);
            return b < 0 ? Double.NEGATIVE_INFINITY : aurocs[l][b];
        });
        return IntStream.range(0, aurocs.length).boxed().sorted(byBest.reversed().thenComparing(l -> l)).limit(n).toList();
    }

    /** The map of the picked latents, each with its {@code texts} top documents ({@code window} tokens each side of the peak). */
    public Result result(Config config, List<Pick> picks, int texts, int window) {
        List<Latent> rows = new ArrayList<>();
        for (Pick p : picks) {
            int l = p.latent();
            if (l < 0 || l >= groupAurocs.length) {
                throw new IllegalArgumentException("latent " + l + " is out of range (the SAE has " + groupAurocs.length + ")");
            }
            int b = best(groupAurocs[l]);
            rows.add(new Latent(l, p.diffRank(), p.increase(), boxed(groupAurocs[l]), boxed(kindAurocs[l]),
                    b < 0 ? null : groups.get(b), b < 0 ? null : groupAurocs[l][b], topTexts(l, texts, window)));
        }
        return new Result(config, sae.config().hookName, groups, kinds, rows);
    }

    /** The documents where the latent peaks highest (only those where it fires), a window around each peak. */
    private List<Text> topTexts(int latent, int n, int window) {
        List<Integer> top = IntStream.range(0, docs.size()).filter(i -> peaks[i][latent] > 0).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> peaks[i][latent]).reversed()).limit(n).toList();
        List<Text> out = new ArrayList<>();
        for (int doc : top) {
            int[] ids = activations.get(doc).ids();
            double[] v = ResponseLatents.of(sae, activations.get(doc), sae.config().hookName).along(latent, ids.length);
            LatentDashboard.Context c = LatentDashboard.context(lm, ids, v, doc, LatentDashboard.peak(v), window, null);
            out.add(new Text(doc, docs.get(doc).group(), c.position(), c.value(), c.tokens(), c.values()));
        }
        return out;
    }

    private static List<Double> boxed(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) {
            out.add(Double.isFinite(x) ? x : null);
        }
        return out;
    }
}
