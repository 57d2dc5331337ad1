package com.apintake.platform.entity;

import java.time.Instant;

/**
 * A due time of a calendar job that passed while no instance ran it (all were down). The bean that
 * owns the job observes it and runs the job once, claimed under this due time, so that two
 * instances catching up at once still run it once.
 */
public record MissedJob(String job, Instant due) {}
