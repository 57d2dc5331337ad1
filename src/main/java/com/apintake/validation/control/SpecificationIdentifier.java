package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * BR-01: An Invoice shall have a Specification identifier (BT-24).
 *
 * <p>BT-24 tells a receiver which rules the sender claims to follow. Here any invoice data comes
 * from a document already recognised as UBL or CII (or was keyed in by a person from a PDF), so the
 * rule passes either way; the detail records the identifier, or that there was none, for the
 * reviewer.
 */
@ApplicationScoped
public class SpecificationIdentifier implements Rule {

    static final String RULE = "BR-01";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        if (invoice.specificationIdentifier() != null) {
            return List.of(
                    Finding.passed(RULE, "specification identifier (BT-24) " + invoice.specificationIdentifier()));
        }
        return List.of(Finding.passed(
                RULE, "no specification identifier (BT-24); accepted because the syntax was recognised"));
    }
}
