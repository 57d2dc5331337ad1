--liquibase formatted sql

-- A scheduled run can decide not to do its work on purpose: a backup due while the previous one is
-- still running is refused as busy (BackupJobs.Refusal.BUSY). Recording that as FAILED said the job
-- was broken when it worked as designed; SKIPPED says what happened and keeps FAILED for failures.

--changeset ap-intake:206-job-runs-skipped
--comment: job_runs.outcome also allows SKIPPED (the run was claimed and deliberately did nothing, e.g. a backup still running).
ALTER TABLE job_runs DROP CONSTRAINT job_runs_outcome_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check
    CHECK (outcome IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED'));
--rollback UPDATE job_runs SET outcome = 'FAILED' WHERE outcome = 'SKIPPED';
--rollback ALTER TABLE job_runs DROP CONSTRAINT job_runs_outcome_check;
--rollback ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check CHECK (outcome IN ('RUNNING', 'SUCCEEDED', 'FAILED'));
