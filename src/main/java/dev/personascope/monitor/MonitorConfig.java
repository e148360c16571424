package dev.personascope.monitor;

import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Direction;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the monitor watches and when it alarms.
 *
 * @param directions  the persona directions read at each measurement (distinct names)
 * @param every       measure every this many optimizer steps
 * @param baseline    how many measurements (the first normally at step 0) make the band
 * @param zThreshold  alarm when a value is more than this many band standard deviations above its mean
 * @param stopOnAlarm stop training on the first alarm
 * @param scope       which probe tokens are averaged: all (but the first), the prompt's or the response's
 */
public record MonitorConfig(List<Direction> directions, int every, int baseline, double zThreshold,
                            boolean stopOnAlarm, TokenScope scope) {
    /** The usual interval, band size and threshold: every 10 steps, a band of 3 measurements, 4 sd. */
    public static final int DEFAULT_EVERY = 10;
    public static final int DEFAULT_BASELINE = 3;
    public static final double DEFAULT_Z = 4;

    public MonitorConfig {
        Objects.requireNonNull(scope, "scope");
        if (directions == null || directions.isEmpty()) {
            throw new IllegalArgumentException("the monitor needs at least one direction");
        }
        directions = List.copyOf(directions);
        Set<String> names = new HashSet<>();
        for (Direction d : directions) {
            if (d.hook() == null) {
                throw new IllegalArgumentException("direction '" + d.name() + "' has no hook point");
            }
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("direction '" + d.name() + "' is watched twice");
            }
        }
        if (every < 1) {
            throw new IllegalArgumentException("the monitor's interval must be >= 1 step, got " + every);
        }
        if (baseline < 2) {
            throw new IllegalArgumentException("the monitor's baseline needs >= 2 measurements, got " + baseline);
        }
        if (!(zThreshold > 0) || Double.isInfinite(zThreshold)) {
            throw new IllegalArgumentException("the monitor's z threshold must be > 0, got " + zThreshold);
        }
    }
}
