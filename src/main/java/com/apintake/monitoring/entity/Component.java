package com.apintake.monitoring.entity;

/**
 * One line of the health score's explanation. value is null when it could not be measured (then it
 * costs nothing and note says why); weight is the component's share of the 100 points; penalty the
 * points it cost now. 100 minus the sum of the penalties is the score.
 */
public record Component(
        String name,
        Double value,
        String unit,
        double warnAt,
        double critAt,
        double weight,
        double penalty,
        String note) {}
