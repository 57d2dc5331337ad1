package com.apintake.analytics.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class RollupsTest {

    static final OffsetDateTime SINCE = OffsetDateTime.parse("2026-12-02T02:23:50.067423Z");

    @Test
    void theStoredSnapshotBecomesTheAgeOfItsXmaxAndItsInProgressList() {
        String sql = Rollups.literals(Rollups.unseen("f"), SINCE, Duration.ofSeconds(60), "5990:5993:5990,5991");
        assertThat(sql)
                .isEqualTo("(age(f.xmin) <= age(CAST('5993' AS xid)) OR f.xmin = ANY (CAST('{5990,5991}' AS xid[])))");
    }

    @Test
    void xidsOfALaterEpochAreCutToTheThirtyTwoBitsARowsXminHolds() {
        long epochTwo = 2L << 32;
        String sql = Rollups.literals(
                Rollups.unseen("i"),
                SINCE,
                Duration.ofSeconds(60),
                (epochTwo + 7) + ":" + (epochTwo + 12) + ":" + (epochTwo + 9));
        assertThat(sql).isEqualTo("(age(i.xmin) <= age(CAST('12' AS xid)) OR i.xmin = ANY (CAST('{9}' AS xid[])))");
    }

    @Test
    void withoutAStoredSnapshotEveryRowInTheWindowIsUnseen() {
        assertThat(Rollups.literals(Rollups.unseen("e"), SINCE, Duration.ofSeconds(60), null))
                .isEqualTo("(age(e.xmin) <= 2147483647 OR e.xmin = ANY (CAST('{}' AS xid[])))");
    }

    @Test
    void theWindowRunsFromSinceToTheStatementsStartPlusTheMargin() {
        assertThat(Rollups.literals(Rollups.window("x.created_at"), SINCE, Duration.ofSeconds(60), null))
                .isEqualTo("x.created_at >= CAST('2026-12-02T02:23:50.067423Z' AS timestamptz)"
                        + " AND x.created_at <= statement_timestamp() + CAST('60 seconds' AS interval)");
    }

    @Test
    void theCheckProbesEveryFactTableWithoutJoins() {
        assertThat(Rollups.ANYTHING_NEW).doesNotContainIgnoringCase("JOIN").contains("analytics_dirty_days");
        for (String table :
                new String[] {"invoice_extractions", "invoices", "exceptions", "validations", "staged_exports"}) {
            assertThat(Rollups.ANYTHING_NEW).contains("FROM " + table + " ");
        }
        assertThat(Rollups.PROBES).hasSize(7);
    }

    @Test
    void everyTopicIsMarkedByASourceAndEveryBranchSharesItsSourcesProbe() {
        assertThat(Rollups.SOURCES.stream()
                        .flatMap(source -> source.marks().stream())
                        .map(Rollups.Mark::topic)
                        .distinct())
                .containsExactlyInAnyOrder("confidence", "vendors", "exceptions", "validations", "exports");
        assertThat(Rollups.CHANGED).hasSize(9);
        for (String branch : Rollups.CHANGED) {
            String where = branch.substring(branch.indexOf(" WHERE "));
            assertThat(Rollups.PROBES).anySatisfy(probe -> assertThat(probe).endsWith(where));
        }
    }

    @Test
    void aSnapshotThatIsNotOneIsRefused() {
        assertThatThrownBy(() -> Rollups.literals(Rollups.unseen("f"), SINCE, Duration.ofSeconds(60), "1:2:3'; --"))
                .isInstanceOf(IllegalStateException.class);
    }
}
