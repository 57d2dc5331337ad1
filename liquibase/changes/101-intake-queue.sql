--liquibase formatted sql

--changeset ap-intake:101-intake-jobs
--comment: The queue of asynchronous uploads (Prefer: respond-async) and inbox files: one row per stored invoice still to be extracted and validated. Workers take a row with FOR UPDATE SKIP LOCKED and lease it; a worker that dies leaves its lease to expire and the job is taken again; the finishing transaction deletes the row only while the lease (attempt) is still its own, so nothing is processed twice.
CREATE TABLE intake_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   bigint      NOT NULL UNIQUE REFERENCES invoices (id) ON DELETE CASCADE,
    enqueued_at  timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    leased_by    text,
    leased_until timestamptz,
    last_error   text
);
-- Takers scan in id order for rows without a live lease; the queue is short, a plain index suffices.
CREATE INDEX idx_intake_jobs_lease ON intake_jobs (leased_until NULLS FIRST, id);
-- The queue is bookkeeping, not business data: ap_app may delete a finished job (nothing else).
GRANT SELECT, INSERT, UPDATE, DELETE ON intake_jobs TO ap_app;
--rollback DROP TABLE intake_jobs;
