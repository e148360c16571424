package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

/** Adds coefficient × vector to the selected tokens: activation steering. */
public final class AddHook implements Hook {
    private final float[] vector;
    private final float coefficient;
    private final TokenScope scope;

    public AddHook(float[] vector, float coefficient, TokenScope scope) {
        this.vector = vector.clone();
        this.coefficient = coefficient;
        this.scope = scope;
    }

    @Override
    public NDArray apply(NDArray x, HookContext ctx) {
        Directions.checkWidth(x, vector.length, ctx);
        NDArray delta = x.getManager().create(vector).mul(coefficient).toType(x.getDataType(), false); // [d], broadcast over [B, T, d]
        if (!ctx.selectsAll(scope)) {
            delta = ctx.mask(x, scope).mul(delta);
        }
        return x.add(delta);
    }
}
