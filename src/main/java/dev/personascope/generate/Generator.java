package dev.personascope.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.KvCache;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Batched autoregressive generation with a KV cache: prompts of different lengths are left-padded,
 * prefilled in one forward pass, then decoded one token per row per step. Hooks run on every step;
 * prompt tokens are marked as prompt and generated tokens as response.
 *
 * <p>A {@link Listener} sees each row's tokens as they are picked, with the text each one makes safe
 * to show (see {@link IncrementalText}): concatenated, those pieces are the row's final text.
 */
public final class Generator {
    private final LanguageModel lm;
    private boolean recordLogprobs;
    private boolean textOffsets;
    private int promptTopLogprobs = -1;

    /** Sees generation as it happens; calls come from the generating thread, row by row within each step. */
    public interface Listener {
        /**
         * A token of {@code row} was picked (an EOS that ends the row included): its logprob entry (null
         * unless logprobs are recorded), where its text starts (code points, -1 unless text offsets are
         * asked for) and the text that is now safe to show, often "" (held back, or an EOS).
         */
        void token(int row, int id, TokenLogprob logprob, int textOffset, String text);

        /** The row ended: the rest of its text (held-back text released) and why ({@code stop} or {@code length}). */
        void finished(int row, String text, String finishReason);

        /** With prompt logprobs: the row's prompt was scored (entry 0 is null), before any of its tokens. */
        default void prefilled(int row, List<TokenLogprob> promptLogprobs) {
        }
    }

    public Generator(LanguageModel lm) {
        this.lm = lm;
    }

    /** Records each chosen token's logprob even when no alternatives are asked for. */
    public Generator withLogprobs(boolean on) {
        this.recordLogprobs = on;
        return this;
    }

    /** Records where each generated token's text starts in the generated text (for OpenAI's text_offset). */
    public Generator withTextOffsets(boolean on) {
        this.textOffsets = on;
        return this;
    }

    /** Scores the prompt too: each prompt token's logprob (after the first) and its top {@code k} alternatives; -1 = off. */
    public Generator withPromptLogprobs(int k) {
        if (k > 20) {
            throw new IllegalArgumentException("prompt logprobs: at most 20 alternatives, got " + k);
        }
        this.promptTopLogprobs = k;
        return this;
    }

    public List<Generation> generate(List<int[]> prompts, SamplingParams params, Hooks hooks) {
        return generate(prompts, params, hooks, null);
    }

    public List<Generation> generate(List<int[]> prompts, SamplingParams params, Hooks hooks, Listener listener) {
        DecoderModel model = lm.model();
        TextTokenizer tok = lm.hasTokenizer() ? lm.tokenizer() : null;
        int b = prompts.size();
        for (int i = 0; i < b; i++) {
            if (prompts.get(i).length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty: add a BOS token or some text");
            }
        }
        Set<Integer> stopIds = lm.stopTokenIds();
        boolean record = recordLogprobs || params.topLogprobs() > 0;
        Row[] rows = new Row[b];
        boolean[] active = new boolean[b];
        for (int i = 0; i < b; i++) {
            rows[i] = new Row(prompts.get(i), new Sampler(params, params.seed() + i),
                    new IncrementalText(tok, prompts.get(i), params.stopStrings(), listener != null || textOffsets));
            active[i] = true;
        }
        try (NDManager genScope = model.manager().newSubManager();
             KvCache cache = new KvCache(genScope, model.config().numLayers, b)) {
            TokenBatch batch = TokenBatch.leftPadded(prompts, 0);
            float[][] logits = promptTopLogprobs >= 0
                    ? prefillScoringPrompts(model, genScope, batch, cache, hooks, rows, tok)
                    : forwardLast(model, genScope, batch, cache, hooks);
            if (listener != null && promptTopLogprobs >= 0) {
                for (int i = 0; i < b; i++) {
                    listener.prefilled(i, rows[i].promptLogprobs);
                }
            }
            if (params.maxNewTokens() == 0) {
                for (int i = 0; i < b; i++) {
                    end(rows[i], i, "length", listener);
                }
            }
            for (int step = 0; step < params.maxNewTokens(); step++) {
                int[] next = new int[b];
                for (int i = 0; i < b; i++) {
                    if (!active[i]) {
                        continue;
                    }
                    Row r = rows[i];
                    float[] processed = r.sampler.process(logits[i]);
                    int id = r.sampler.sample(processed);
                    r.sampler.accept(id);
                    next[i] = id;
                    TokenLogprob lp = record ? logprob(processed, id, params.topLogprobs(), tok) : null;
                    int offset = textOffsets ? r.text.codePoints() : -1;
                    if (lp != null) {
                        r.logprobs.add(lp);
                        r.offsets.add(offset);
                    }
                    if (stopIds.contains(id)) {
                        if (listener != null) {
                            listener.token(i, id, lp, offset, "");
                        }
                        end(r, i, "stop", listener);
                        active[i] = false;
                        continue;
                    }
                    r.ids.add(id);
                    String delta = r.text.add(id);
                    if (listener != null) {
                        listener.token(i, id, lp, offset, delta);
                    }
                    if (r.text.stopped()) {
                        end(r, i, "stop", listener);
                        active[i] = false;
                    } else if (r.ids.size() >= params.maxNewTokens()) {
                        end(r, i, "length", listener);
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
        for (Row r : rows) {
            int[] offsets = textOffsets ? r.offsets.stream().mapToInt(Integer::intValue).toArray() : new int[0];
            result.add(new Generation(r.prompt, toArray(r.ids), r.text.text(), r.finish == null ? "length" : r.finish,
                    r.logprobs, offsets, r.promptLogprobs));
        }
        return result;
    }

    /** One row's state. */
    private static final class Row {
        final int[] prompt;
        final Sampler sampler;
        final IncrementalText text;
        final List<Integer> ids = new ArrayList<>();
        final List<TokenLogprob> logprobs = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();
        List<TokenLogprob> promptLogprobs = List.of();
        String finish;

        Row(int[] prompt, Sampler sampler, IncrementalText text) {
            this.prompt = prompt;
            this.sampler = sampler;
            this.text = text;
        }
    }

    private static void end(Row r, int i, String reason, Listener listener) {
        r.finish = reason;
        String rest = r.text.finish();
        if (listener != null) {
            listener.finished(i, rest, reason);
        }
    }

    /** Prefill with logits at every position: each prompt token's logprob, and the next-token logits of each row. */
    private float[][] prefillScoringPrompts(DecoderModel model, NDManager parent, TokenBatch batch, KvCache cache,
                                            Hooks hooks, Row[] rows, TextTokenizer tok) {
        int t = batch.length();
        try (NDManager step = parent.newSubManager()) {
            NDArray all = model.forward(step, batch, cache, hooks, DecoderModel.Logits.ALL); // [B, T, V]
            float[][] last = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                int[] p = rows[i].prompt;
                int pad = t - p.length;
                List<TokenLogprob> scored = new ArrayList<>(Collections.nCopies(1, null));
                for (int j = 1; j < p.length; j++) {
                    float[] row = all.get(i, pad + j - 1).toFloatArray();
                    scored.add(logprob(row, p[j], promptTopLogprobs, tok));
                }
                rows[i].promptLogprobs = Collections.unmodifiableList(scored);
                last[i] = all.get(i, t - 1).toFloatArray();
            }
            return last;
        }
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

    /** Code-point offsets of each token of {@code ids} in decode(ids) (for OpenAI's text_offset of echoed prompts). */
    public static int[] textOffsets(TextTokenizer tok, int[] ids) {
        return IncrementalText.offsets(tok, ids);
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
