--liquibase formatted sql

--changeset ap-intake:040-performance-reports
--comment: The weekly and daily performance reports, stored so a DBA can compare weeks: the JSON for tools and a Markdown rendering for people.
CREATE TABLE performance_reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('weekly', 'daily')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL CHECK (period_end > period_start),
    report       jsonb       NOT NULL,
    markdown     text        NOT NULL
);
-- Query: SELECT id, kind, created_at FROM performance_reports ORDER BY created_at DESC LIMIT 50;
CREATE INDEX idx_performance_reports_created ON performance_reports (created_at DESC);
--rollback DROP TABLE performance_reports;

--changeset ap-intake:040-maintenance-runs
--comment: Every maintenance run, scheduled or manual: when, what it did (actions), how it ended. RUNNING rows left by a crash are visible as such.
CREATE TABLE maintenance_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('weekly', 'daily')),
    trigger     text        NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text        NOT NULL DEFAULT 'RUNNING' CHECK (outcome IN ('RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED')),
    actions     jsonb       NOT NULL DEFAULT '[]'::jsonb,
    error       text,
    report_id   bigint      REFERENCES performance_reports (id) ON DELETE SET NULL,
    CHECK ((outcome = 'RUNNING') = (finished_at IS NULL))
);
-- Query: SELECT * FROM maintenance_runs ORDER BY started_at DESC LIMIT 50;
CREATE INDEX idx_maintenance_runs_started ON maintenance_runs (started_at DESC);
CREATE INDEX idx_maintenance_runs_report ON maintenance_runs (report_id) WHERE report_id IS NOT NULL;
--rollback DROP TABLE maintenance_runs;
