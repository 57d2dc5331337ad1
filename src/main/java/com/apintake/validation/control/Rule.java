package com.apintake.validation.control;

import com.apintake.extraction.entity.InvoiceData;
import com.apintake.validation.entity.Finding;
import java.util.List;

/**
 * One EN 16931 business rule (or a tight family of them). Implementations are {@code
 * ApplicationScoped} so they can be collected with {@code Instance<Rule>}; {@link EN16931Rules#all()}
 * lists them for use outside CDI.
 */
public interface Rule {

    /** At least one finding, passed or not; a rule that does not apply says so in a passed finding. */
    List<Finding> check(InvoiceData invoice);
}
