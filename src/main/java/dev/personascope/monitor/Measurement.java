package dev.personascope.monitor;

import java.util.Map;

/**
 * One probe pass: each direction's mean projection, and its z-score against the band (NaN while the
 * band is still being built), keyed by direction name in the config's order.
 */
public record Measurement(int step, Map<String, Double> values, Map<String, Double> z) {
    public Measurement {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        z = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(z));
    }
}
