package com.apintake.validation.control;

public interface Rule {
    java.util.List<com.apintake.validation.entity.Finding> check(com.apintake.extraction.entity.InvoiceData invoice);
}
