package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.persona.ResidualNorm;
import dev.personascope.persona.Steering;
import picocli.CommandLine.Option;

import java.util.function.Supplier;

/** Steering while generating, shared by eval and serve: --steer SPEC with --steer-coefficient or --ablate. */
final class SteeringOptions {
    @Option(names = "--steer", description = "Direction to steer with: sae:DIR#LATENT, vector:FILE or random:SEED")
    String spec;

    @Option(names = "--steer-hook", description = "Hook point to steer at (default: the direction's own)")
    String hook;

    @Option(names = "--steer-coefficient", defaultValue = "0",
            description = "Add this many typical residual norms along the direction at every token")
    double coefficient;

    @Option(names = "--ablate", description = "Project the direction out at every token instead of adding it")
    boolean ablate;

    @Option(names = "--steer-scope", defaultValue = "all",
            description = "Tokens steered: all, prompt (the conversation so far, not the generated tokens) or response (default ${DEFAULT-VALUE})")
    TokenScope scope;

    /** The steering to apply, or null when none was asked for. */
    Steering steering(LanguageModel lm) {
        if (spec == null) {
            if (ablate || coefficient != 0 || hook != null) {
                throw new IllegalArgumentException("--steer-coefficient, --steer-hook and --ablate need --steer SPEC");
            }
            return null;
        }
        if (ablate && coefficient != 0) {
            throw new IllegalArgumentException("give either --ablate or --steer-coefficient, not both");
        }
        Direction d = DirectionSpec.parse(spec, hook, lm.config().hiddenSize);
        if (ablate) {
            return Steering.ablation(d);
        }
        double scale = ResidualNorm.mean(lm, d.hook(), ReferenceTexts.forNorm());
        return Steering.add(d, coefficient, scale, scope);
    }

    /** The steering options as given, e.g. "--steer vector:v.json --steer-coefficient 2.0 --steer-scope all". */
    String describeOptions() {
        return "--steer " + spec + (hook == null ? "" : " --steer-hook " + hook) + (ablate ? " --ablate"
                : " --steer-coefficient " + coefficient + " --steer-scope " + scope.name().toLowerCase(java.util.Locale.ROOT));
    }

    Supplier<Hooks> hooks(LanguageModel lm) {
        Steering s = steering(lm);
        if (s == null) {
            return () -> Hooks.NONE;
        }
        System.err.println("steering: " + s.describe());
        return s::hooks;
    }
}
