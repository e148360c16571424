package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

import java.util.function.UnaryOperator;

/**
 * Replaces the activation of the selected tokens by f(activation), e.g. an SAE's reconstruction;
 * unselected tokens keep their value.
 */
public final class ReplaceHook implements Hook {
    private final UnaryOperator<NDArray> replacement;
    private final TokenScope scope;

    public ReplaceHook(UnaryOperator<NDArray> replacement, TokenScope scope) {
        this.replacement = replacement;
        this.scope = scope;
    }

    @Override
    public NDArray apply(NDArray x, HookContext ctx) {
        NDArray y = replacement.apply(x);
        if (!y.getShape().equals(x.getShape())) {
            throw new IllegalArgumentException(ctx.hookName() + ": replacement has shape " + y.getShape()
                    + ", the activation " + x.getShape());
        }
        if (ctx.selectsAll(scope)) {
            return y;
        }
        NDArray m = ctx.mask(x, scope);
        return x.add(y.sub(x).mul(m));
    }
}
