package com.apintake.validation.control;

import java.util.List;

/** Every rule, for use outside CDI (batch tools, tests); inside the container use {@code Instance<Rule>}. */
public final class EN16931Rules {

    private EN16931Rules() {}

    public static List<Rule> all() {
        return List.of(
                new SpecificationIdentifier(),
                new MandatoryTerms(),
                new PostalAddresses(),
                new AtLeastOneLine(),
                new LineNetAmounts(),
                new LineNetTotal(),
                new DocumentAllowanceTotal(),
                new DocumentChargeTotal(),
                new TotalWithoutVat(),
                new VatTotal(),
                new TotalWithVat(),
                new AmountDue(),
                new VatCategoryTaxAmounts(),
                new PaymentDueInformation(),
                new SellerIdentification());
    }
}
