package com.apintake.intake.entity;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where an invoice stands in accounts payable. The allowed moves are the whole workflow:
 * RECEIVED -> EXTRACTED -> VALIDATED | EXCEPTIONS_FOUND | SUSPECTED_DUPLICATE -> PENDING_APPROVAL ->
 * APPROVED -> STAGED -> EXPORTED, with CONFIRMED_DUPLICATE and REJECTED as dead ends. Anything else
 * is refused (HTTP 409), so an exported invoice can never be approved twice.
 */
public enum WorkflowStatus {
    RECEIVED,
    EXTRACTED,
    VALIDATED,
    EXCEPTIONS_FOUND,
    SUSPECTED_DUPLICATE,
    PENDING_APPROVAL,
    APPROVED,
    STAGED,
    EXPORTED,
    CONFIRMED_DUPLICATE,
    REJECTED;

    private static final Map<WorkflowStatus, Set<WorkflowStatus>> NEXT = Map.ofEntries(
            Map.entry(RECEIVED, EnumSet.of(EXTRACTED, REJECTED)),
            Map.entry(EXTRACTED, EnumSet.of(VALIDATED, EXCEPTIONS_FOUND, SUSPECTED_DUPLICATE, REJECTED)),
            Map.entry(VALIDATED, EnumSet.of(PENDING_APPROVAL, REJECTED)),
            // A duplicate suspicion can coexist with other exceptions: dismissing it leaves those open.
            Map.entry(EXCEPTIONS_FOUND, EnumSet.of(PENDING_APPROVAL, SUSPECTED_DUPLICATE, REJECTED)),
            Map.entry(
                    SUSPECTED_DUPLICATE, EnumSet.of(CONFIRMED_DUPLICATE, EXCEPTIONS_FOUND, PENDING_APPROVAL, REJECTED)),
            Map.entry(PENDING_APPROVAL, EnumSet.of(APPROVED, REJECTED)),
            Map.entry(APPROVED, EnumSet.of(STAGED)),
            Map.entry(STAGED, EnumSet.of(EXPORTED)),
            Map.entry(EXPORTED, EnumSet.noneOf(WorkflowStatus.class)),
            Map.entry(CONFIRMED_DUPLICATE, EnumSet.noneOf(WorkflowStatus.class)),
            Map.entry(REJECTED, EnumSet.noneOf(WorkflowStatus.class)));

    public boolean canMoveTo(WorkflowStatus next) {
        return NEXT.get(this).contains(next);
    }

    public boolean isTerminal() {
        return NEXT.get(this).isEmpty();
    }

    /** The move to next, or IllegalTransition naming both states. */
    public WorkflowStatus moveTo(WorkflowStatus next) {
        if (!canMoveTo(next)) {
            throw new IllegalTransition(this, next);
        }
        return next;
    }

    public static class IllegalTransition extends RuntimeException {
        public IllegalTransition(WorkflowStatus from, WorkflowStatus to) {
            super("An invoice in " + from + " cannot move to " + to);
        }
    }
}
