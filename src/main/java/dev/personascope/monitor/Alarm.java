package dev.personascope.monitor;

/** A direction's first crossing of the z threshold. */
public record Alarm(int step, String direction, double value, double z, String message) {
}
