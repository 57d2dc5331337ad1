package com.apintake.security.entity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoginBackoffTest {

    @Test
    void noDelayBelowTheThresholdThenDoublingUpToTheCap() {
        var backoff = new LoginBackoff(5, 1, 900);
        assertThat(backoff.delaySeconds(0)).isZero();
        assertThat(backoff.delaySeconds(4)).isZero();
        assertThat(backoff.delaySeconds(5)).isEqualTo(1);
        assertThat(backoff.delaySeconds(6)).isEqualTo(2);
        assertThat(backoff.delaySeconds(10)).isEqualTo(32);
        assertThat(backoff.delaySeconds(15)).isEqualTo(900);
        assertThat(backoff.delaySeconds(Integer.MAX_VALUE)).isEqualTo(900);
    }

    @Test
    void aThresholdOfZeroTurnsTheBrakeOff() {
        assertThat(new LoginBackoff(0, 1, 900).delaySeconds(1000)).isZero();
    }
}
