package com.apintake.validation.entity;

public record Finding(String rule, boolean passed, String detail) {}
