package com.apintake.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfidenceAggregationTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void theWindowsBoundsAreLocalMidnightsSoTheDayOfTheClockChangeHas25Hours() {
        var window = new ConfidenceAggregation.Window(LocalDate.of(2026, 10, 25), LocalDate.of(2026, 10, 26), BERLIN);

        assertThat(window.days()).isEqualTo(1);
        assertThat(window.start().getOffset().getTotalSeconds()).isEqualTo(7200);
        assertThat(window.end().getOffset().getTotalSeconds()).isEqualTo(3600);
        assertThat(Duration.between(window.start(), window.end())).isEqualTo(Duration.ofHours(25));
        assertThat(window.dates()).isEqualTo("{2026-10-25}");
    }

    @Test
    void thePerDayFormIsTheRollupsStatementWithoutItsInsert() throws Exception {
        String sql = ConfidenceAggregation.perDay().sql();

        assertThat(sql)
                .startsWith("SELECT d.day")
                .contains("CROSS JOIN LATERAL")
                .doesNotContain("INSERT");
        assertThat(PartitionPruning.rollup("VALIDATIONS")).startsWith("SELECT").doesNotContain("INSERT");
    }

    @Test
    void answersThatDifferInOneCountOrAnAverageAreRefused() {
        var day = LocalDate.of(2026, 11, 2);
        var answer = List.of(new ConfidenceAggregation.Day(day, 10, 0.9, 2));

        ConfidenceAggregation.check("same", answer, List.of(new ConfidenceAggregation.Day(day, 10, 0.9, 2)));
        assertThatThrownBy(() -> ConfidenceAggregation.check(
                        "below", answer, List.of(new ConfidenceAggregation.Day(day, 10, 0.9, 3))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ConfidenceAggregation.check(
                        "average", answer, List.of(new ConfidenceAggregation.Day(day, 10, 0.91, 2))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ConfidenceAggregation.check("missing day", answer, List.of()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aQueryIsPrunedOnlyWhenEveryPartitionItReadOverlapsItsWindow() {
        var probe = new PartitionPruning.Probe("validations", "q", "SELECT 1", List.of());
        Set<String> window = Set.of("validations_p2026_11", "validations_p2026_12");

        assertThat(new PartitionPruning.Outcome(probe, Set.of("validations_p2026_11"), window, 30).pruned())
                .isTrue();
        assertThat(new PartitionPruning.Outcome(
                                probe, Set.of("validations_p2026_11", "validations_p2026_10"), window, 30)
                        .pruned())
                .isFalse();
        assertThat(new PartitionPruning.Outcome(probe, Set.of("validations_default"), window, 30).pruned())
                .isFalse();
        assertThat(new PartitionPruning.Outcome(probe, Set.of(), window, 30).pruned())
                .isFalse();
    }
}
