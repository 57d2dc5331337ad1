package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** BR-16: An Invoice shall have at least one Invoice line (BG-25). */
@ApplicationScoped
public class AtLeastOneLine implements Rule {

    static final String RULE = "BR-16";

    @Override
    public List<Finding> check(InvoiceData invoice) {
        int lines = invoice.lines().size();
        return List.of(
                lines == 0
                        ? Finding.failed(RULE, "the invoice has no lines (BG-25)")
                        : Finding.passed(RULE, lines + " invoice line(s)"));
    }
}
