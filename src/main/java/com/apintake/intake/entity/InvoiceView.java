package com.apintake.intake.entity;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/** An invoice as the API shows it. duplicateOf names the earlier invoice when this one is a suspected duplicate. */
public record InvoiceView(
        long id,
        String fileHash,
        String originalFilename,
        String contentType,
        long sizeBytes,
        String status,
        WorkflowStatus workflowStatus,
        Long vendorId,
        String invoiceNumber,
        String typeCode,
        LocalDate issueDate,
        LocalDate dueDate,
        String currency,
        BigDecimal totalNet,
        BigDecimal totalVat,
        BigDecimal totalGross,
        BigDecimal amountDue,
        Long duplicateOf,
        int openExceptions,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {}
