--liquibase formatted sql

-- What the monitoring timers keep so "how was it an hour ago" and "slow in the last hour" have
-- answers: one row of key figures per snapshot, and pg_stat_statements counters per queryid
-- (only rows whose counters moved since the previous snapshot). Both are purged after
-- apintake.monitoring.retention-days. pg_stat_statements itself is never reset by ap-intake.

--changeset ap-intake:010-monitoring-snapshots
--comment: Key figures every apintake.monitoring.snapshot-seconds; served by /api/v1/database/trends. Counters (commits, timeouts, ...) are cumulative as read; trends show them as they were.
CREATE TABLE monitoring_snapshots (
    taken_at                timestamptz PRIMARY KEY,
    score                   smallint CHECK (score BETWEEN 0 AND 100),
    pool_used               integer,
    pool_free               integer,
    pool_max                integer,
    pool_wait_queue         integer,
    pool_timed_out          bigint,
    cache_hit_ratio         double precision CHECK (cache_hit_ratio BETWEEN 0 AND 1),
    index_hit_ratio         double precision CHECK (index_hit_ratio BETWEEN 0 AND 1),
    commits                 bigint,
    rollbacks               bigint,
    deadlocks               bigint,
    temp_bytes              bigint,
    database_bytes          bigint,
    connections             integer,
    active_sessions         integer,
    idle_in_transaction     integer,
    blocked_sessions        integer,
    mean_statement_ms       double precision,
    slow_statements         integer,
    open_alerts             integer
);
--rollback DROP TABLE monitoring_snapshots;

--changeset ap-intake:010-statement-snapshots
--comment: pg_stat_statements counters per queryid (summed over users, this database only) at snapshot time. The primary key (queryid, taken_at) finds "the last snapshot before the window" per statement with one index probe.
CREATE TABLE statement_snapshots (
    queryid       bigint           NOT NULL,
    taken_at      timestamptz      NOT NULL,
    calls         bigint           NOT NULL CHECK (calls >= 0),
    total_exec_ms double precision NOT NULL,
    returned_rows bigint           NOT NULL,
    PRIMARY KEY (queryid, taken_at)
);
-- The retention purge deletes by age.
CREATE INDEX idx_statement_snapshots_taken ON statement_snapshots (taken_at);
--rollback DROP TABLE statement_snapshots;
