package dev.personascope.persona;

import ai.djl.ndarray.NDManager;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.data.ChatEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Residual activations of whole conversations, teacher-forced: each conversation is rendered with
 * the chat template and run through the model once, and every token's activation at the chosen hooks
 * is kept with whether the token belongs to an assistant answer (response) or not (prompt).
 */
public final class TokenActivations {
    /** One conversation: its token ids, which are response tokens, and [token][d_model] per hook. */
    public record Document(int[] ids, boolean[] response, Map<String, float[][]> activations) {
        public float[][] at(String hook) {
            float[][] a = activations.get(hook);
            if (a == null) {
                throw new IllegalArgumentException("no activations captured at " + hook);
            }
            return a;
        }

        /** Whether token t is selected by a scope (all, prompt only, response only). */
        public boolean selected(int t, TokenScope scope) {
            return switch (scope) {
                case ALL -> true;
                case PROMPT -> !response[t];
                case RESPONSE -> response[t];
            };
        }

        /** The positions of the tokens a scope selects, in order. */
        public int[] positions(TokenScope scope) {
            return IntStream.range(0, ids.length).filter(t -> selected(t, scope)).toArray();
        }

        /** The activations at a hook of the tokens a scope selects, in order. */
        public float[][] selected(String hook, TokenScope scope) {
            float[][] a = at(hook);
            return Arrays.stream(positions(scope)).mapToObj(t -> a[t]).toArray(float[][]::new);
        }

        /** Mean activation over the tokens of a scope, or null when it has none. */
        public float[] mean(String hook, TokenScope scope) {
            float[][] a = at(hook);
            float[] sum = null;
            int n = 0;
            for (int t = 0; t < a.length; t++) {
                if (!selected(t, scope)) {
                    continue;
                }
                if (sum == null) {
                    sum = new float[a[t].length];
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += a[t][i];
                }
                n++;
            }
            if (sum != null) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] /= n;
                }
            }
            return sum;
        }
    }

    public static final int BATCH = 16;
    /** The longest conversation, in tokens, that latent statistics read (latent AUROCs and dashboards). */
    public static final int MAX_TOKENS = 512;

    private TokenActivations() {
    }

    /**
     * Runs the encoded conversations ({@link ChatEncoder#encodeAll}, or {@link dev.personascope.data.TextSet#encode})
     * through the model in batches and captures the hooks.
     */
    public static List<Document> run(LanguageModel lm, List<ChatEncoder.Encoded> docs, List<String> hooks) {
        // batches of similar length waste little on padding: batch the documents in order of length (stable), and
        // return them in the order given
        Integer[] order = new Integer[docs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> docs.get(i).ids().length));
        Document[] out = new Document[docs.size()];
        for (int start = 0; start < order.length; start += BATCH) {
            List<ChatEncoder.Encoded> batch = new ArrayList<>();
            for (int k = start; k < Math.min(order.length, start + BATCH); k++) {
                batch.add(docs.get(order[k]));
            }
            List<Document> done = runBatch(lm, batch, hooks);
            for (int k = 0; k < done.size(); k++) {
                out[order[start + k]] = done.get(k);
            }
        }
        return java.util.Arrays.asList(out);
    }

    private static List<Document> runBatch(LanguageModel lm, List<ChatEncoder.Encoded> batch, List<String> hooks) {
        Hooks h = new Hooks();
        Map<String, CaptureHook> caps = new LinkedHashMap<>();
        for (String hook : hooks) {
            CaptureHook c = new CaptureHook(TokenScope.ALL);
            caps.put(hook, c);
            h.add(hook, c);
        }
        DecoderModel model = lm.model();
        List<int[]> ids = batch.stream().map(ChatEncoder.Encoded::ids).toList();
        try (NDManager scope = model.manager().newSubManager()) {
            model.forward(scope, TokenBatch.rightPadded(ids, 0, null), null, h, DecoderModel.Logits.NONE);
        }
        List<Document> out = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            Map<String, float[][]> acts = new LinkedHashMap<>();
            for (Map.Entry<String, CaptureHook> c : caps.entrySet()) {
                acts.put(c.getKey(), c.getValue().row(b));
            }
            out.add(new Document(batch.get(b).ids(), batch.get(b).target(), acts));
        }
        return out;
    }
}
