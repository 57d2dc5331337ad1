package com.apintake.extraction.entity;

import java.math.BigDecimal;

/**
 * One row of the VAT breakdown (BG-23): the VAT owed per category and rate.
 *
 * @param category VAT category code (BT-118)
 * @param rate VAT category rate in percent (BT-119); absent for category O
 * @param taxableAmount VAT category taxable amount (BT-116)
 * @param taxAmount VAT category tax amount (BT-117)
 */
public record VatBreakdown(String category, BigDecimal rate, BigDecimal taxableAmount, BigDecimal taxAmount) {}
