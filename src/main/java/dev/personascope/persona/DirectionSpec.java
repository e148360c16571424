package dev.personascope.persona;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.LanguageModel;
import dev.personascope.sae.Sae;
import dev.personascope.sae.SaeFolder;

import java.nio.file.Path;

/**
 * Parses the command line's direction specs: {@code sae:DIR#LATENT} (the latent's decoder row, at
 * the SAE's hook), {@code vector:FILE} (a {@link VectorFile}) or {@code random:SEED} (a random unit
 * direction at a hook given separately).
 */
public final class DirectionSpec {
    private DirectionSpec() {
    }

    /**
     * @param hook   the hook to use, or null for the spec's own (required for random directions)
     * @param dModel the model's width, checked against the direction's
     */
    public static Direction parse(String spec, String hook, int dModel) {
        Direction d;
        if (spec.startsWith("sae:")) {
            String rest = spec.substring(4);
            int hash = rest.lastIndexOf('#');
            if (hash < 0) {
                throw new IllegalArgumentException("direction '" + spec + "': expected sae:DIR#LATENT");
            }
            d = saeLatent(Path.of(rest.substring(0, hash)), parseIndex(spec, rest.substring(hash + 1)));
        } else if (spec.startsWith("vector:")) {
            d = VectorFile.read(Path.of(spec.substring(7)));
        } else if (spec.startsWith("random:")) {
            if (hook == null) {
                throw new IllegalArgumentException("direction '" + spec + "': a random direction needs --hook");
            }
            d = Direction.random(hook, dModel, parseIndex(spec, spec.substring(7)));
        } else {
            throw new IllegalArgumentException("direction '" + spec + "' is not sae:DIR#LATENT, vector:FILE or random:SEED");
        }
        if (d.dModel() != dModel) {
            throw new IllegalArgumentException("direction '" + spec + "' has " + d.dModel() + " dimensions; the model has "
                    + dModel);
        }
        return hook != null ? d.at(hook) : d;
    }

    /**
     * Checks a spec without a model (its form, that its file or SAE folder is there and readable, the latent in
     * range), so that a command can refuse it in seconds before loading anything; {@link #parse} checks the width.
     */
    public static void check(String spec, String hook) {
        if (spec.startsWith("sae:")) {
            String rest = spec.substring(4);
            int hash = rest.lastIndexOf('#');
            if (hash < 0) {
                throw new IllegalArgumentException("direction '" + spec + "': expected sae:DIR#LATENT");
            }
            Path dir = Path.of(rest.substring(0, hash));
            int latent = parseIndex(spec, rest.substring(hash + 1));
            int dSae = SaeFolder.readConfig(dir).dSae;
            if (latent < 0 || latent >= dSae) {
                throw new IllegalArgumentException(dir + ": latent " + latent + " is out of range (the SAE has " + dSae
                        + " latents)");
            }
        } else if (spec.startsWith("vector:")) {
            VectorFile.read(Path.of(spec.substring(7)));
        } else if (spec.startsWith("random:")) {
            if (hook == null) {
                throw new IllegalArgumentException("direction '" + spec + "': a random direction needs --hook");
            }
            parseIndex(spec, spec.substring(7));
        } else {
            throw new IllegalArgumentException("direction '" + spec + "' is not sae:DIR#LATENT, vector:FILE or random:SEED");
        }
    }

    /** The decoder row of one latent of an SAELens SAE folder, at the SAE's hook. */
    public static Direction saeLatent(Path dir, int latent) {
        try (NDManager m = LanguageModel.newManager(); Sae sae = SaeFolder.read(dir, m)) {
            int dSae = sae.config().dSae;
            if (latent < 0 || latent >= dSae) {
                throw new IllegalArgumentException(dir + ": latent " + latent + " is out of range (the SAE has " + dSae
                        + " latents)");
            }
            try (NDArray row = sae.wDec().get(latent)) {
                return new Direction("sae:" + dir + "#" + latent, sae.config().hookName, row.toFloatArray());
            }
        }
    }

    private static int parseIndex(String spec, String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("direction '" + spec + "': '" + s + "' is not an integer");
        }
    }
}
