package com.apintake.extraction.entity;

import java.math.BigDecimal;

/**
 * One invoice line (BG-25).
 *
 * @param id line identifier (BT-126)
 * @param quantity invoiced quantity (BT-129)
 * @param unitCode unit of measure of the invoiced quantity (BT-130)
 * @param netPrice item net price (BT-146)
 * @param baseQuantity quantity the net price refers to (BT-149); null means 1
 * @param netAmount line net amount (BT-131)
 * @param vatCategory invoiced item VAT category code (BT-151)
 * @param vatRate invoiced item VAT rate in percent (BT-152)
 * @param allowances sum of the line's allowances (BT-136), zero when there are none, null when one
 *     of them could not be read
 * @param charges sum of the line's charges (BT-141), zero when there are none, null when one of
 *     them could not be read
 */
public record Line(
        String id,
        BigDecimal quantity,
        String unitCode,
        BigDecimal netPrice,
        BigDecimal baseQuantity,
        BigDecimal netAmount,
        String vatCategory,
        BigDecimal vatRate,
        BigDecimal allowances,
        BigDecimal charges) {}
