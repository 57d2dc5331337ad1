package com.apintake.monitoring.entity;

/**
 * One rule of the health score: what is measured, in which unit, when it starts to cost points
 * (warnAt) and when it costs all of them (critAt), and its weight. For most measures more is worse
 * (blocked sessions, latency); for ratios and headroom less is worse, which is why critAt may lie
 * below warnAt.
 *
 * <p>The penalty is the published formula of the README: nothing while the value is on the good
 * side of warnAt; half of the weight at warnAt, rising linearly to the whole weight at critAt; the
 * whole weight beyond critAt.
 */
public record Threshold(String name, String unit, double warnAt, double critAt, double weight) {

    public Threshold {
        if (weight < 0) {
            throw new IllegalArgumentException("weight of " + name + " must not be negative: " + weight);
        }
        if (warnAt == critAt) {
            throw new IllegalArgumentException("warnAt and critAt of " + name + " must differ");
        }
    }

    public boolean higherIsWorse() {
        return critAt > warnAt;
    }

    /** The share of the weight this value costs, 0..1. */
    public double severity(double value) {
        double distance = higherIsWorse() ? value - warnAt : warnAt - value;
        if (distance < 0) {
            return 0;
        }
        double span = Math.abs(critAt - warnAt);
        return Math.min(1, 0.5 + 0.5 * distance / span);
    }

    public Threshold withWeight(double newWeight) {
        return new Threshold(name, unit, warnAt, critAt, newWeight);
    }
}
