package com.apintake.extraction.entity;

import java.math.BigDecimal;

/**
 * A document level allowance (BG-20) or charge (BG-21).
 *
 * @param charge true for a charge (BT-99), false for an allowance (BT-92)
 * @param amount the allowance or charge amount without VAT
 * @param vatCategory VAT category code it falls under (BT-95 / BT-102)
 * @param vatRate VAT rate in percent (BT-96 / BT-103)
 * @param reason the reason as text (BT-97 / BT-104)
 */
public record AllowanceCharge(
        boolean charge, BigDecimal amount, String vatCategory, BigDecimal vatRate, String reason) {}
