--liquibase formatted sql

--changeset ap-intake:020-backups
--comment: One row per backup attempt (logical dumps and PITR base backups), the same facts as the manifest.json written beside the files. Only SUCCEEDED and VERIFIED rows are usable for a restore.
CREATE TABLE backups (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind IN ('full', 'schema', 'data', 'critical', 'base')),
    status           text        NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCEEDED', 'VERIFIED', 'FAILED')),
    triggered_by     text        NOT NULL CHECK (triggered_by IN ('schedule', 'api')),
    directory        text,
    encrypted        boolean     NOT NULL DEFAULT false,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    duration_ms      bigint      CHECK (duration_ms >= 0),
    size_bytes       bigint      CHECK (size_bytes >= 0),
    database_name    text,
    server_version   text,
    tool_version     text,
    files            jsonb       NOT NULL DEFAULT '[]'::jsonb,
    tables           jsonb       NOT NULL DEFAULT '[]'::jsonb,
    wal_start        text,
    failure_reason   text,
    verified_at      timestamptz,
    restore_ms       bigint      CHECK (restore_ms >= 0),
    verify_failure   text,
    CHECK (status <> 'FAILED' OR failure_reason IS NOT NULL),
    CHECK (status <> 'VERIFIED' OR (verified_at IS NOT NULL AND restore_ms IS NOT NULL)),
    CHECK (status = 'RUNNING' OR finished_at IS NOT NULL)
);
-- The list, the metrics and retention all read the newest backups of a kind in a state first.
CREATE INDEX idx_backups_kind_status_started ON backups (kind, status, started_at DESC);
--rollback DROP TABLE backups;
