--liquibase formatted sql

--changeset ap-intake:140-job-schedules
--comment: Each scheduled job as the instances last saw it: its schedule, whether a missed due time is caught up after all instances were down, and the next due time. /api/v1/schedules reads it; platform/boundary/JobCatchUp finds missed due times in it.
CREATE TABLE job_schedules (
    job        text        PRIMARY KEY,
    schedule   text        NOT NULL,
    catch_up   boolean     NOT NULL DEFAULT false,
    next_due   timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text        NOT NULL
);
--rollback DROP TABLE job_schedules;

--changeset ap-intake:140-job-runs
--comment: One row per job and due time, claimed by the instance that runs it: with several instances every timer fires everywhere, and the unique constraint lets exactly one insert win (INSERT ... ON CONFLICT DO NOTHING). lease_until tells when a RUNNING row whose instance died counts as abandoned.
CREATE TABLE job_runs (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job         text        NOT NULL,
    due_at      timestamptz NOT NULL,
    instance    text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_until timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text        NOT NULL DEFAULT 'RUNNING' CHECK (outcome IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
    detail      text,
    CONSTRAINT job_runs_once UNIQUE (job, due_at),
    CHECK ((outcome = 'RUNNING') = (finished_at IS NULL))
);
-- Query: SELECT * FROM job_runs WHERE job = ? ORDER BY due_at DESC LIMIT 1; (served by job_runs_once)
--rollback DROP TABLE job_runs;
