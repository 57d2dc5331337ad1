package com.apintake.monitoring.entity;

import java.util.OptionalDouble;

/**
 * The extension point of the health score for components that other parts of ap-intake own, such
 * as backup freshness once backups exist. A CDI bean implementing this interface is picked up by
 * {@code HealthScore} with its threshold and weight; the weights of all components are then scaled
 * so that they still add up to 100. measure() returns empty when there is nothing to measure yet
 * (the component is then listed, costs nothing, and says so, in {@link #unmeasured()}).
 */
public interface HealthSignal {

    Threshold threshold();

    OptionalDouble measure();

    /** Why the last measure() came back empty (shown as the component's note). */
    default String unmeasured() {
        return "nothing to measure yet";
    }

    /**
     * Whether the alert evaluation judges this component too, by the registry's pair of its name
     * (alert condition = component name). False for components whose owner raises its own alerts.
     */
    default boolean alerts() {
        return false;
    }

    /**
     * True when what this component measures does not exist here (a replica lag without any replica
     * configured), as opposed to existing but not measurable now (a replica that does not answer). An
     * open alert of an absent component's condition is cleared; an unmeasurable one is left as it is.
     */
    default boolean absent() {
        return false;
    }
}
