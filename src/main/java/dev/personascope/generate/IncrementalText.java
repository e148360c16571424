package dev.personascope.generate;

import dev.personascope.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of a growing list of generated tokens, and the part of it that is safe to show so far.
 *
 * <p>The text is what the new tokens add to the prompt: decode(context + new) minus decode(context),
 * with the last {@value #CONTEXT} prompt tokens as context, so that a leading space that a tokenizer drops
 * at the start of a decode is kept and the whole prompt is not decoded at every step. Text is held back
 * while it ends in U+FFFD (a token that is part of a multi-byte character, whose other bytes are still to
 * come) or in the beginning of a stop string. When a stop string appears the text is cut before it.
 *
 * <p>Lazy unless {@code eager}: then nothing is decoded until the text is asked for.
 */
final class IncrementalText {
    static final int CONTEXT = 8;
    private final TextTokenizer tok;
    private final int[] context;
    private final List<String> stops;
    private final boolean eager;
    private final List<Integer> ids = new ArrayList<>();
    private String decoded = "";
    private int decodedCount = 0;
    private String head;
    private String emitted = "";
    private String cut;

    IncrementalText(TextTokenizer tok, int[] prompt, List<String> stops, boolean eager) {
        this.tok = tok;
        int from = Math.max(0, prompt.length - CONTEXT);
        this.context = java.util.Arrays.copyOfRange(prompt, from, prompt.length);
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.eager = eager || !this.stops.isEmpty();
    }

    /** Appends a token; returns the text that became safe to show ("" while held back or when lazy). */
    String add(int id) {
        ids.add(id);
        if (!eager || tok == null || cut != null) {
            return "";
        }
        String t = current();
        int at = firstStop(t, stops);
        if (at >= 0) {
            cut = t.substring(0, at);
            return advance(cut);
        }
        int keep = t.length();
        while (keep > 0 && t.charAt(keep - 1) == '\uFFFD') {
            keep--;
        }
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, keep); k > hold; k--) {
                if (t.startsWith(s.substring(0, k), keep - k)) {
                    hold = k;
                    break;
                }
            }
        }
        keep -= hold;
        if (keep > 0 && Character.isHighSurrogate(t.charAt(keep - 1))) {
            keep--;
        }
        return advance(t.substring(0, keep));
    }

    /** Whether a stop string ended the text. */
    boolean stopped() {
        return cut != null;
    }

    /** The whole text: cut before the stop string if one appeared. */
    String text() {
        return cut != null ? cut : current();
    }

    /** The text not yet shown, all of it (nothing is held back any more). */
    String finish() {
        return advance(text());
    }

    /**
     * Where the next token's text will start, in code points (Python's str indices, as OpenAI's
     * text_offset counts): the text's length without a trailing incomplete character.
     */
    int codePoints() {
        return complete(text());
    }

    private String advance(String safe) {
        if (safe.length() > emitted.length() && safe.startsWith(emitted)) {
            String delta = safe.substring(emitted.length());
            emitted = safe;
            return delta;
        }
        return "";
    }

    private String current() {
        if (tok == null) {
            return "";
        }
        if (decodedCount != ids.size()) {
            int[] all = new int[context.length + ids.size()];
            System.arraycopy(context, 0, all, 0, context.length);
            for (int i = 0; i < ids.size(); i++) {
                all[context.length + i] = ids.get(i);
            }
            if (head == null) {
                head = tok.decode(context);
            }
            String full = tok.decode(all);
            decoded = full.startsWith(head) ? full.substring(head.length())
                    : tok.decode(java.util.Arrays.copyOfRange(all, context.length, all.length));
            decodedCount = ids.size();
        }
        return decoded;
    }

    /**
     * Code-point offsets of each token of {@code ids} in decode(ids): where its text starts, the tokens of
     * a multi-byte character all at that character. Each token is decoded after up to {@value #CONTEXT}
     * tokens before it.
     */
    static int[] offsets(TextTokenizer tok, int[] ids) {
        int[] out = new int[ids.length];
        if (tok == null) {
            return out;
        }
        int at = 0;
        for (int j = 0; j < ids.length; j++) {
            out[j] = at;
            int[] window = java.util.Arrays.copyOfRange(ids, Math.max(0, j - CONTEXT), j + 1);
            int before = window.length == 1 ? 0 : complete(tok.decode(java.util.Arrays.copyOf(window, window.length - 1)));
            at += complete(tok.decode(window)) - before;
        }
        return out;
    }

    /** Code points of a text without its trailing U+FFFD (bytes of a character still to come). */
    private static int complete(String t) {
        int end = t.length();
        while (end > 0 && t.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return t.codePointCount(0, end);
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
}
