--liquibase formatted sql

--changeset ap-intake:011-alerts
--comment: One row per alert episode of a condition (pool_waits, blocked_sessions, backup_freshness, ...). The partial unique index allows one open alert per condition: repeats update last_seen_at, a worse severity escalates it, a cleared condition resolves it.
CREATE TABLE alerts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    condition    text             NOT NULL CHECK (condition ~ '^[a-z][a-z0-9_.-]{0,62}$'),
    severity     text             NOT NULL CHECK (severity IN ('warning', 'critical')),
    summary      text             NOT NULL,
    value        double precision,
    threshold    double precision,
    source       text             NOT NULL,
    opened_at    timestamptz      NOT NULL DEFAULT now(),
    last_seen_at timestamptz      NOT NULL DEFAULT now(),
    escalated_at timestamptz,
    resolved_at  timestamptz,
    CHECK (resolved_at IS NULL OR resolved_at >= opened_at)
);
CREATE UNIQUE INDEX uq_alerts_open_condition ON alerts (condition) WHERE resolved_at IS NULL;
--rollback DROP TABLE alerts;

--changeset ap-intake:011-alert-events
--comment: The history of each alert: opened, escalated, resolved, with the value seen at that moment.
CREATE TABLE alert_events (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id bigint           NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    event    text             NOT NULL CHECK (event IN ('opened', 'escalated', 'resolved')),
    severity text             NOT NULL CHECK (severity IN ('warning', 'critical')),
    summary  text             NOT NULL,
    value    double precision,
    at       timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX idx_alert_events_alert ON alert_events (alert_id);
--rollback DROP TABLE alert_events;
