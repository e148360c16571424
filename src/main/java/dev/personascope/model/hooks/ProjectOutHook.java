package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

/** Removes the component along a direction d: x ← x − (x·d̂) d̂ (directional ablation). */
public final class ProjectOutHook implements Hook {
    private final float[] unit;
    private final TokenScope scope;

    public ProjectOutHook(float[] direction, TokenScope scope) {
        this.unit = Directions.normalized(direction);
        this.scope = scope;
    }

    @Override
    public NDArray apply(NDArray x, HookContext ctx) {
        Directions.checkWidth(x, unit.length, ctx);
        NDArray d = x.getManager().create(unit).toType(x.getDataType(), false);
        NDArray coef = x.matMul(d.expandDims(1)); // [B, T, 1] = x·d̂
        NDArray removed = coef.mul(d);             // [B, T, d]
        if (!ctx.selectsAll(scope)) {
            removed = removed.mul(ctx.mask(x, scope));
        }
        return x.sub(removed);
    }
}
