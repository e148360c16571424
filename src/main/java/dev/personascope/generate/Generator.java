package dev.personascope.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.KvCache;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Batched autoregressive generation with a KV cache: prompts of different lengths are left-padded,
 * prefilled in one forward pass, then decoded one token per row per step. Hooks run on every step;
 * prompt tokens are marked as prompt and generated tokens as response.
 */
public final class Generator {
    private final LanguageModel lm;
    private boolean recordLogprobs;

    public Generator(LanguageModel lm) {
        this.lm = lm;
    }

    public List<Generation> generate(List<int[]> prompts, SamplingParams params, Hooks hooks) {
        DecoderModel model = lm.model();
        TextTokenizer tok = lm.hasTokenizer() ? lm.tokenizer() : null;
        int b = prompts.size();
        for (int i = 0; i < b; i++) {
            if (prompts.get(i).length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty: add a BOS token or some text");
            }
        }
        Set<Integer> stopIds = lm.stopTokenIds();
        Sampler[] samplers = new Sampler[b];
        List<List<Integer>> out = new ArrayList<>();
        List<List<TokenLogprob>> logprobs = new ArrayList<>();
        String[] finish = new String[b];
        String[] texts = new String[b];
        boolean[] active = new boolean[b];
        for (int i = 0; i < b; i++) {
            samplers[i] = new Sampler(params, params.seed() + i);
            out.add(new ArrayList<>());
            logprobs.add(new ArrayList<>());
            active[i] = true;
        }
        try (NDManager genScope = model.manager().newSubManager();
             KvCache cache = new KvCache(genScope, model.config().numLayers, b)) {
            TokenBatch batch = TokenBatch.leftPadded(prompts, 0);
            float[][] logits = forwardLast(model, genScope, batch, cache, hooks);
            for (int step = 0; step < params.maxNewTokens(); step++) {
                int[] next = new int[b];
                for (int i = 0; i < b; i++) {
                    if (!active[i]) {
                        continue;
                    }
                    int id = samplers[i].next(logits[i]);
                    next[i] = id;
                    if (recordLogprobs || params.topLogprobs() > 0) {
                        logprobs.get(i).add(logprob(logits[i], id, params.topLogprobs(), tok));
                    }
                    if (stopIds.contains(id)) {
                        finish[i] = "stop";
                        active[i] = false;
                        continue;
                    }
                    out.get(i).add(id);
                    if (tok != null && !params.stopStrings().isEmpty()) {
                        String text = continuation(tok, prompts.get(i), toArray(out.get(i)));
                        int cut = firstStop(text, params.stopStrings());
                        if (cut >= 0) {
                            texts[i] = text.substring(0, cut);
                            finish[i] = "stop";
                            active[i] = false;
                            continue;
                        }
                    }
                    if (out.get(i).size() >= params.maxNewTokens()) {
                        finish[i] = "length";
                        active[i] = false;
                    }
                }
                if (!anyActive(active)) {
                    break;
                }
                logits = forwardLast(model, genScope, TokenBatch.step(next, active, true), cache, hooks);
            }
        }
        List<Generation> result = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            int[] ids = toArray(out.get(i));
            String text = texts[i] != null ? texts[i] : tok == null ? "" : continuation(tok, prompts.get(i), ids);
            result.add(new Generation(prompts.get(i), ids, text, finish[i] == null ? "length" : finish[i],
                    logprobs.get(i)));
        }
        return result;
    }

    /** Records each chosen token's logprob even when no alternatives are asked for. */
    public Generator withLogprobs(boolean on) {
        this.recordLogprobs = on;
        return this;
    }

    private static float[][] forwardLast(DecoderModel model, NDManager parent, TokenBatch batch, KvCache cache, Hooks hooks) {
        try (NDManager step = parent.newSubManager()) {
            NDArray logits = model.forward(step, batch, cache, hooks, DecoderModel.Logits.LAST);
            int v = (int) logits.getShape().get(2);
            float[] flat = logits.toFloatArray();
            float[][] rows = new float[batch.size()][v];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(flat, i * v, rows[i], 0, v);
            }
            return rows;
        }
    }

    private static TokenLogprob logprob(float[] logits, int id, int k, TextTokenizer tok) {
        double[] lp = Sampler.logSoftmax(logits);
        List<TokenLogprob.Alternative> top = new ArrayList<>();
        for (int j : Sampler.topK(lp, k)) {
            top.add(new TokenLogprob.Alternative(j, tok == null ? "" : tok.tokenText(j), lp[j]));
        }
        return new TokenLogprob(id, tok == null ? "" : tok.tokenText(id), lp[id], top);
    }

    /**
     * The text the new tokens add to the prompt: decode(prompt + new) minus decode(prompt), so that a
     * leading space that a tokenizer drops at the start of a decode is kept.
     */
    static String continuation(TextTokenizer tok, int[] prompt, int[] ids) {
        int[] all = new int[prompt.length + ids.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(ids, 0, all, prompt.length, ids.length);
        String full = tok.decode(all);
        String head = tok.decode(prompt);
        return full.startsWith(head) ? full.substring(head.length()) : tok.decode(ids);
    }

    static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String s : stops) {
            if (s.isEmpty()) {
                continue;
            }
            int at = text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    private static boolean anyActive(boolean[] active) {
        for (boolean a : active) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
