package dev.personascope.model;

import java.util.List;

/**
 * A rectangular batch of token ids for one forward call, with which entries are real tokens (the
 * rest is padding) and which belong to the response (the rest is prompt).
 */
public final class TokenBatch {
    final int[][] tokens;
    final boolean[][] valid;
    final boolean[][] response;

    public TokenBatch(int[][] tokens, boolean[][] valid, boolean[][] response) {
        int t = tokens.length == 0 ? 0 : tokens[0].length;
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != t || valid[b].length != t || response[b].length != t) {
                throw new IllegalArgumentException("batch row " + b + " is not " + t + " tokens long");
            }
        }
        this.tokens = tokens;
        this.valid = valid;
        this.response = response;
    }

    /** Sequences padded on the left (as generation needs), all tokens prompt tokens. */
    public static TokenBatch leftPadded(List<int[]> seqs, int padId) {
        int t = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
        int[][] tok = new int[seqs.size()][t];
        boolean[][] val = new boolean[seqs.size()][t];
        for (int b = 0; b < seqs.size(); b++) {
            int[] s = seqs.get(b);
            int off = t - s.length;
            java.util.Arrays.fill(tok[b], padId);
            for (int i = 0; i < s.length; i++) {
                tok[b][off + i] = s[i];
                val[b][off + i] = true;
            }
        }
        return new TokenBatch(tok, val, new boolean[seqs.size()][t]);
    }

    /**
     * Sequences padded on the right (as batch forwards for training and harvesting use);
     * {@code responseMasks} may be null (all prompt) or give one mask per sequence.
     */
    public static TokenBatch rightPadded(List<int[]> seqs, int padId, List<boolean[]> responseMasks) {
        int t = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
        int[][] tok = new int[seqs.size()][t];
        boolean[][] val = new boolean[seqs.size()][t];
        boolean[][] resp = new boolean[seqs.size()][t];
        for (int b = 0; b < seqs.size(); b++) {
            int[] s = seqs.get(b);
            java.util.Arrays.fill(tok[b], padId);
            System.arraycopy(s, 0, tok[b], 0, s.length);
            for (int i = 0; i < s.length; i++) {
                val[b][i] = true;
                resp[b][i] = responseMasks != null && responseMasks.get(b)[i];
            }
        }
        return new TokenBatch(tok, val, resp);
    }

    /** One new token per row (a decoding step); {@code active[b]} false marks finished rows as padding. */
    public static TokenBatch step(int[] next, boolean[] active, boolean isResponse) {
        int[][] tok = new int[next.length][1];
        boolean[][] val = new boolean[next.length][1];
        boolean[][] resp = new boolean[next.length][1];
        for (int b = 0; b < next.length; b++) {
            tok[b][0] = next[b];
            val[b][0] = active[b];
            resp[b][0] = isResponse;
        }
        return new TokenBatch(tok, val, resp);
    }

    public int size() {
        return tokens.length;
    }

    public int length() {
        return tokens.length == 0 ? 0 : tokens[0].length;
    }

    public int[] row(int b) {
        return tokens[b];
    }

    public boolean isValid(int b, int t) {
        return valid[b][t];
    }
}
