package com.apintake.intake.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.validation.entity.Finding;
import com.apintake.vendors.control.VendorMatch;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApRulesTest {

    @Test
    void aKnownVendorPassesAndAnUnknownSellerFails() {
        Finding known = ApRules.vendorMatch(Optional.of(new VendorMatch.Identified(7, "vatId", null)), null);
        assertThat(known.passed()).isTrue();
        assertThat(known.rule()).isEqualTo("AP-VENDOR-MATCH");
        assertThat(known.detail()).contains("Vendor 7", "vatId");
        Finding unknown = ApRules.vendorMatch(Optional.empty(), null);
        assertThat(unknown.fails()).isTrue();
        assertThat(unknown.source()).isEqualTo("AP");
    }

    @Test
    void aChangedIbanFailsWithBothSidesMaskedAndMissingIbansDoNotApply() {
        Finding changed =
                ApRules.bankAccount("DE89370400440532013000", new VendorMatch.BankCheck(true, false, "DE44****3000"));
        assertThat(changed.fails()).isTrue();
        assertThat(changed.detail())
                .contains("DE89****3000", "DE44****3000", "by phone")
                .doesNotContain("370400440532013000");
        assertThat(ApRules.bankAccount("DE89370400440532013000", new VendorMatch.BankCheck(true, true, "x"))
                        .passed())
                .isTrue();
        assertThat(ApRules.bankAccount(null, null).detail())
                .startsWith("not applicable")
                .contains("invoice");
        assertThat(ApRules.bankAccount("DE89370400440532013000", new VendorMatch.BankCheck(false, false, null))
                        .detail())
                .contains("vendor master");
        assertThat(ApRules.normalizeIban(" de89 3704 ")).isEqualTo("DE893704");
        assertThat(ApRules.normalizeIban("  ")).isNull();
    }

    @Test
    void anEarlierCopyFailsTheDuplicateRule() {
        assertThat(ApRules.duplicate(Optional.of(41L)).detail()).contains("invoice 41");
        assertThat(ApRules.duplicate(Optional.of(41L)).fails()).isTrue();
        assertThat(ApRules.duplicate(Optional.empty()).passed()).isTrue();
    }

    @Test
    void confidenceBelowTheThresholdFailsAndAtItPasses() {
        assertThat(ApRules.confidence(0.79, 0.8).fails()).isTrue();
        assertThat(ApRules.confidence(0.8, 0.8).passed()).isTrue();
        assertThat(ApRules.confidence(0.5, 0.8).detail()).isEqualTo("Extraction confidence 0.500, threshold 0.800.");
    }
}
