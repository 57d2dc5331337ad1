package com.apintake.platform.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.alerts.control.AlertStore;
import com.apintake.audit.control.AuditTrail;
import com.apintake.backup.boundary.BackupsResource;
import com.apintake.exceptions.control.ExceptionRecords;
import com.apintake.export.control.ExportBatches;
import com.apintake.intake.control.Invoices;
import com.apintake.maintenance.control.MaintenanceRuns;
import com.apintake.vendors.control.Vendors;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.transaction.Transactional;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A list page that reads the replica must not run inside a JTA transaction: the transaction would hold a
 * primary connection for the whole replica read (and a second, non-XA pool in one transaction is refused).
 * Each list method that goes through ReadSource therefore suspends any caller's transaction.
 */
class ReadSourceListsTest {

    @Test
    void everyListThatReadsTheReplicaJoinsNoTransaction() throws Exception {
        List<Method> lists = List.of(
                Invoices.class.getMethod("list", Invoices.Query.class),
                AuditTrail.class.getMethod("list", String.class, String.class, Long.class, int.class),
                Vendors.class.getMethod("list", String.class, int.class, int.class),
                ExceptionRecords.class.getMethod("list", Boolean.class, Long.class, int.class),
                AlertStore.class.getMethod("list", Instant.class, int.class),
                MaintenanceRuns.class.getMethod("list", int.class),
                ExportBatches.class.getMethod("recent", int.class));
        for (Method list : lists) {
            Transactional transactional = list.getAnnotation(Transactional.class);
            assertThat(transactional).as(list.toString()).isNotNull();
            assertThat(transactional.value()).as(list.toString()).isEqualTo(Transactional.TxType.NOT_SUPPORTED);
        }
        TransactionAttribute schedules = JobClaims.class.getMethod("list").getAnnotation(TransactionAttribute.class);
        assertThat(schedules.value()).isEqualTo(TransactionAttributeType.NOT_SUPPORTED);
    }

    @Test
    void theBackupsListIsReadFromAResourceThatStartsNoTransaction() {
        assertThat(BackupsResource.class.getAnnotation(Transactional.class)).isNull();
        assertThat(Arrays.stream(BackupsResource.class.getMethods())
                        .filter(m -> m.getName().equals("list"))
                        .map(m -> m.getAnnotation(Transactional.class)))
                .containsOnlyNulls();
    }
}
