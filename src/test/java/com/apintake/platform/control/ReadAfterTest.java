package com.apintake.platform.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadAfterTest {

    @Test
    void aWalPositionIsTwoHexNumbersOfAtMostEightDigits() {
        assertThat(ReadAfter.valid("0/3A2B1C8")).isTrue();
        assertThat(ReadAfter.valid("0/0")).isTrue();
        assertThat(ReadAfter.valid("FFFFFFFF/ffffffff")).isTrue();
        assertThat(ReadAfter.valid(null)).isFalse();
        assertThat(ReadAfter.valid("")).isFalse();
        assertThat(ReadAfter.valid("0/")).isFalse();
        assertThat(ReadAfter.valid("1/2/3")).isFalse();
        assertThat(ReadAfter.valid("100000000/0")).isFalse();
        assertThat(ReadAfter.valid("0/3A2B1C8'; SELECT 1")).isFalse();
    }

    @Test
    void onlyAValidPositionIsKept() {
        ReadAfter after = new ReadAfter();
        assertThat(after.lsn()).isNull();
        assertThatThrownBy(() -> after.lsn("junk")).isInstanceOf(IllegalArgumentException.class);
        after.lsn("16/B374D848");
        assertThat(after.lsn()).isEqualTo("16/B374D848");
    }
}
