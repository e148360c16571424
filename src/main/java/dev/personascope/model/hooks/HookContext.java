package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * What a hook knows about the tokens of the activation it sees: for each [batch, token] whether it
 * is real (not padding), whether it belongs to the response, and its position in its sequence.
 */
public final class HookContext {
    private final boolean[][] valid;
    private final boolean[][] response;
    private final int[][] positions;
    private String hookName = "";

    public HookContext(boolean[][] valid, boolean[][] response, int[][] positions) {
        this.valid = valid;
        this.response = response;
        this.positions = positions;
    }

    public int batchSize() {
        return valid.length;
    }

    public int length() {
        return valid.length == 0 ? 0 : valid[0].length;
    }

    public String hookName() {
        return hookName;
    }

    void setHookName(String name) {
        this.hookName = name;
    }

    public boolean isValid(int b, int t) {
        return valid[b][t];
    }

    public boolean isResponse(int b, int t) {
        return response[b][t];
    }

    public int position(int b, int t) {
        return positions[b][t];
    }

    public boolean selected(int b, int t, TokenScope scope) {
        if (!valid[b][t]) {
            return false;
        }
        return switch (scope) {
            case ALL -> true;
            case PROMPT -> !response[b][t];
            case RESPONSE -> response[b][t];
        };
    }

    /** A [batch, tokens, 1] mask of 1 where the token is selected, in {@code like}'s manager. */
    public NDArray mask(NDArray like, TokenScope scope) {
        int b = batchSize();
        int t = length();
        float[] m = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                m[i * t + j] = selected(i, j, scope) ? 1f : 0f;
            }
        }
        NDManager manager = like.getManager();
        return manager.create(m, new Shape(b, t, 1)).toType(like.getDataType(), false);
    }

    /** True when every real token is selected, so a mask can be skipped. */
    public boolean selectsAll(TokenScope scope) {
        for (int i = 0; i < batchSize(); i++) {
            for (int j = 0; j < length(); j++) {
                if (valid[i][j] && !selected(i, j, scope)) {
                    return false;
                }
            }
        }
        return true;
    }
}
