package com.apintake.maintenance.entity;

/** One thing a maintenance run did (or tried): e.g. analyze public.invoices -> done in 120 ms. */
public record Action(String kind, String target, String outcome, String detail) {}
