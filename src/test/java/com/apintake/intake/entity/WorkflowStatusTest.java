package com.apintake.intake.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class WorkflowStatusTest {

    @Test
    void theHappyPathIsAllowedStepByStep() {
        WorkflowStatus status = WorkflowStatus.RECEIVED;
        for (WorkflowStatus next : new WorkflowStatus[] {
            WorkflowStatus.EXTRACTED, WorkflowStatus.VALIDATED, WorkflowStatus.PENDING_APPROVAL,
            WorkflowStatus.APPROVED, WorkflowStatus.STAGED, WorkflowStatus.EXPORTED
        }) {
            status = status.moveTo(next);
        }
        assertThat(status).isEqualTo(WorkflowStatus.EXPORTED);
    }

    @Test
    void deadEndsAllowNothing() {
        for (WorkflowStatus end :
                EnumSet.of(WorkflowStatus.EXPORTED, WorkflowStatus.CONFIRMED_DUPLICATE, WorkflowStatus.REJECTED)) {
            assertThat(end.isTerminal()).isTrue();
            for (WorkflowStatus any : WorkflowStatus.values()) {
                assertThat(end.canMoveTo(any)).as(end + " -> " + any).isFalse();
            }
        }
    }

    @Test
    void skippingApprovalOrExportingTwiceIsRefusedWithBothStatesNamed() {
        assertThatThrownBy(() -> WorkflowStatus.EXCEPTIONS_FOUND.moveTo(WorkflowStatus.APPROVED))
                .isInstanceOf(WorkflowStatus.IllegalTransition.class)
                .hasMessageContaining("EXCEPTIONS_FOUND")
                .hasMessageContaining("APPROVED");
        assertThat(WorkflowStatus.RECEIVED.canMoveTo(WorkflowStatus.STAGED)).isFalse();
        assertThat(WorkflowStatus.STAGED.canMoveTo(WorkflowStatus.APPROVED)).isFalse();
        assertThat(WorkflowStatus.SUSPECTED_DUPLICATE.canMoveTo(WorkflowStatus.CONFIRMED_DUPLICATE))
                .isTrue();
        assertThat(WorkflowStatus.PENDING_APPROVAL.canMoveTo(WorkflowStatus.CONFIRMED_DUPLICATE))
                .isFalse();
    }
}
