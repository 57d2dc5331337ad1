package com.apintake.vendors.entity;

import com.apintake.platform.boundary.Input;
import java.time.OffsetDateTime;

/**
 * A vendor master row. vatId, sellerIdentifier and name are what incoming invoices are matched by;
 * iban is the account payments go to, compared with every invoice's IBAN.
 */
public record Vendor(
        Long id,
        String name,
        String vatId,
        String sellerIdentifier,
        @Input(max = 64) String iban,
        String accountHolder,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {}
