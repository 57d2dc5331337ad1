package com.apintake.extraction.entity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void servedAsWhatWasDetected() {
        assertThat(Format.UBL.mediaType()).isEqualTo("application/xml");
        assertThat(Format.CII.mediaType()).isEqualTo("application/xml");
        assertThat(Format.FACTURX.mediaType()).isEqualTo("application/pdf");
        assertThat(Format.PDF.mediaType()).isEqualTo("application/pdf");
    }

    @Test
    void aDeclaredXmlOrPdfTypeMustMatchTheDetectedFormat() {
        assertThat(Format.UBL.fitsDeclared("application/xml; charset=UTF-8")).isTrue();
        assertThat(Format.CII.fitsDeclared("TEXT/XML")).isTrue();
        assertThat(Format.UBL.fitsDeclared("application/pdf")).isFalse();
        assertThat(Format.FACTURX.fitsDeclared("application/xml")).isFalse();
        assertThat(Format.PDF.fitsDeclared("application/octet-stream")).isTrue();
        assertThat(Format.UBL.fitsDeclared(null)).isTrue();
    }
}
