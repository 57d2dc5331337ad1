package com.apintake.intake.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.platform.control.DatabaseUnavailableException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    private static GroupCommit.Pending upload(String hash, String name) {
        return new GroupCommit.Pending(new InvoiceStore.Received(hash, name, "application/xml", new byte[] {1}));
    }

    @Test
    void equalFilesInOneBatchAreStoredOnceTheFirstToArrive() {
        var a1 = upload("aaa", "a-1.xml");
        var b1 = upload("bbb", "b-1.xml");
        var a2 = upload("aaa", "a-2.xml");
        var a3 = upload("aaa", "a-3.xml");
        var c1 = upload("ccc", "c-1.xml");

        var first = GroupCommit.firstOfEachFile(List.of(a1, b1, a2, a3, c1));

        assertThat(first.keySet()).containsExactly("aaa", "bbb", "ccc");
        assertThat(first.get("aaa")).isSameAs(a1);
        assertThat(first.values()).containsExactly(a1, b1, c1);
    }

    @Test
    void anOutageFailsEveryUploadOfTheBatchAs503AndAnyOtherFailureIsRetriedAlone() {
        var outage = new IllegalStateException(
                "commit failed", new SQLException("terminating connection due to administrator command", "57P01"));
        var ofBatch = GroupCommit.failed(outage, 8);
        assertThat(ofBatch.failure())
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasCause(outage);
        assertThat(ofBatch.alone()).isFalse();

        var refused = new IllegalStateException("SQL failed (WITH input AS ...): 23502");
        var retried = GroupCommit.failed(refused, 8);
        assertThat(retried.alone()).isTrue();
        assertThat(retried.failure()).isNull();

        var lone = GroupCommit.failed(refused, 1);
        assertThat(lone.failure()).isSameAs(refused);
        assertThat(lone.alone()).isFalse();
    }
}
