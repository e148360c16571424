package dev.personascope.persona;

import dev.personascope.model.hooks.Directions;

import java.util.Random;

/**
 * A direction in the residual stream at one hook point: an SAE latent's decoder row or a persona
 * vector. Steering, ablation and monitoring all take one.
 *
 * @param name   what it is, e.g. {@code sae:out/sae#1234} or {@code vector:villain.json}
 * @param hook   the hook point it lives at (TransformerLens name)
 * @param vector its components, d_model long (not necessarily unit length)
 */
public record Direction(String name, String hook, float[] vector) {
    public Direction {
        if (vector.length == 0) {
            throw new IllegalArgumentException("direction '" + name + "' is empty");
        }
        vector = vector.clone();
    }

    /** The unit vector along this direction. */
    public float[] unit() {
        return Directions.normalized(vector);
    }

    public int dModel() {
        return vector.length;
    }

    public double norm() {
        double s = 0;
        for (float v : vector) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** The same vector at another hook point. */
    public Direction at(String otherHook) {
        return new Direction(name, otherHook, vector);
    }

    /** Cosine similarity with another direction of the same width. */
    public double cosine(Direction other) {
        if (other.dModel() != dModel()) {
            throw new IllegalArgumentException("cannot compare directions of " + dModel() + " and " + other.dModel() + " dimensions");
        }
        return Directions.dot(unit(), other.unit());
    }

    /** A random unit direction (isotropic Gaussian, normalised), seeded: the control for steering. */
    public static Direction random(String hook, int dModel, long seed) {
        Random r = new Random(seed);
        float[] v = new float[dModel];
        for (int i = 0; i < dModel; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new Direction("random:" + seed, hook, Directions.normalized(v));
    }
}
