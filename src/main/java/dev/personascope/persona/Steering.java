package dev.personascope.persona;

import dev.personascope.model.hooks.AddHook;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.ProjectOutHook;
import dev.personascope.model.hooks.TokenScope;

import java.util.Locale;

/**
 * One steering intervention at a hook: add {@code coefficient × scale × unit(direction)} to every
 * token's residual (Turner et al. 2023; Wang et al. 2025 steer persona latents this way, with the
 * coefficient in units of the typical residual norm), or project the direction out (ablation).
 *
 * @param scale the typical residual norm at the hook, so that coefficients are comparable across hooks and models
 */
public record Steering(Direction direction, double coefficient, double scale, boolean ablate, TokenScope scope) {
    public static Steering add(Direction d, double coefficient, double scale) {
        return add(d, coefficient, scale, TokenScope.ALL);
    }

    /** Steering on the tokens of one scope only (e.g. the response, leaving the prompt untouched). */
    public static Steering add(Direction d, double coefficient, double scale, TokenScope scope) {
        return new Steering(d, coefficient, scale, false, scope);
    }

    public static Steering ablation(Direction d) {
        return new Steering(d, 0, 0, true, TokenScope.ALL);
    }

    /** Fresh hooks for one generation (hooks are cheap; a new set per request keeps them independent). */
    public Hooks hooks() {
        Hooks h = new Hooks();
        if (ablate) {
            h.add(direction.hook(), new ProjectOutHook(direction.vector(), scope));
        } else if (coefficient != 0) {
            h.add(direction.hook(), new AddHook(direction.unit(), (float) (coefficient * scale), scope));
        }
        return h;
    }

    public String describe() {
        return ablate ? "ablate " + direction.name() + " at " + direction.hook()
                : String.format(Locale.ROOT, "add %+.3f x %.3f x %s at %s (%s tokens)", coefficient, scale, direction.name(), direction.hook(), scope.name().toLowerCase(Locale.ROOT));
    }
}
