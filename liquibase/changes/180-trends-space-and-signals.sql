--liquibase formatted sql

-- Trends for every figure of issue 12 (space, dead tuples, sequences, wraparound) and for the health
-- components other parts contribute (intake queue, replica lag, WAL archive runway): more columns of
-- the one snapshot row, and the biggest tables' sizes per snapshot for a per-table series. Purged
-- with the other snapshots after apintake.monitoring.retention-days.

--changeset ap-intake:180-monitoring-snapshots-space-and-signals
--comment: Space figures and contributed health components per snapshot; null where not measured (no replica, no WAL archive, no privilege on a sequence).
ALTER TABLE monitoring_snapshots
    ADD COLUMN index_bytes                 bigint,
    ADD COLUMN dead_tuples                 bigint,
    ADD COLUMN max_dead_tuple_percent      double precision,
    ADD COLUMN max_sequence_used_percent   double precision,
    ADD COLUMN xid_age_percent             double precision,
    ADD COLUMN intake_queue_depth          bigint,
    ADD COLUMN intake_queue_age_seconds    double precision,
    ADD COLUMN replica_lag_bytes           double precision,
    ADD COLUMN replica_lag_seconds         double precision,
    ADD COLUMN wal_archive_days_left       double precision;
--rollback ALTER TABLE monitoring_snapshots DROP COLUMN index_bytes, DROP COLUMN dead_tuples, DROP COLUMN max_dead_tuple_percent, DROP COLUMN max_sequence_used_percent, DROP COLUMN xid_age_percent, DROP COLUMN intake_queue_depth, DROP COLUMN intake_queue_age_seconds, DROP COLUMN replica_lag_bytes, DROP COLUMN replica_lag_seconds, DROP COLUMN wal_archive_days_left;

--changeset ap-intake:180-table-size-snapshots
--comment: The apintake.monitoring.trend-tables biggest tables (total size) at each snapshot: GET /api/v1/database/trends?metric=table_bytes&table=schema.name.
CREATE TABLE table_size_snapshots (
    taken_at     timestamptz NOT NULL,
    schema_name  text        NOT NULL,
    table_name   text        NOT NULL,
    total_bytes  bigint      NOT NULL CHECK (total_bytes >= 0),
    index_bytes  bigint      NOT NULL CHECK (index_bytes >= 0),
    dead_tuples  bigint,
    PRIMARY KEY (schema_name, table_name, taken_at)
);
-- The retention purge deletes by age.
CREATE INDEX idx_table_size_snapshots_taken ON table_size_snapshots (taken_at);
--rollback DROP TABLE table_size_snapshots;
