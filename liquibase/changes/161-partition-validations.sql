--liquibase formatted sql

-- validations becomes a partitioned table with the same name, columns, defaults, checks, foreign key,
-- grants, autovacuum settings and named indexes; the primary key becomes (id, created_at) because a
-- partitioned table's unique keys must hold the partition key (nothing references validations.id).
-- The identity goes on where the old one stopped. Rows are copied in the changeset's transaction, under
-- an exclusive lock on the old table: intake writing validations waits for the copy (about a second per
-- 300,000 rows here), so run it in a quiet hour on a large database.

--changeset ap-intake:161-partition-validations
--comment: Range-partition validations by month (created_at, UTC); see 160 for the partition layout.
LOCK TABLE validations IN ACCESS EXCLUSIVE MODE;
ALTER TABLE validations RENAME TO validations_unpartitioned;
ALTER INDEX validations_pkey RENAME TO validations_unpartitioned_pkey;
ALTER SEQUENCE validations_id_seq RENAME TO validations_unpartitioned_id_seq;
DROP INDEX idx_validations_invoice;
DROP INDEX idx_validations_passed_created;
CREATE TABLE validations (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    invoice_id bigint      NOT NULL CONSTRAINT validations_invoice_id_fkey REFERENCES invoices (id) ON DELETE CASCADE,
    rule_code  text        NOT NULL CONSTRAINT validations_rule_code_check CHECK (rule_code ~ '^[A-Z][A-Z0-9-]*$'),
    passed     boolean     NOT NULL,
    detail     text,
    created_at timestamptz NOT NULL DEFAULT now(),
    severity   text        NOT NULL DEFAULT 'fatal' CONSTRAINT validations_severity_check CHECK (severity IN ('fatal', 'warning', 'information')),
    location   text,
    source     text,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
SELECT count(*) FROM create_month_partitions('validations', coalesce((SELECT min(created_at) FROM validations_unpartitioned), now()), greatest(now(), (SELECT max(created_at) FROM validations_unpartitioned)) + interval '3 months');
CREATE TABLE validations_default PARTITION OF validations DEFAULT;
INSERT INTO validations (id, invoice_id, rule_code, passed, detail, created_at, severity, location, source) OVERRIDING SYSTEM VALUE
    SELECT id, invoice_id, rule_code, passed, detail, created_at, severity, location, source FROM validations_unpartitioned;
SELECT setval(pg_get_serial_sequence('validations', 'id'), last_value, is_called) FROM validations_unpartitioned_id_seq;
DROP TABLE validations_unpartitioned;
CREATE INDEX idx_validations_invoice ON validations (invoice_id);
CREATE INDEX idx_validations_passed_created ON validations (passed, created_at DESC);
SELECT count(partition_setup('validations', inhrelid)) FROM pg_inherits WHERE inhparent = 'validations'::regclass;
GRANT SELECT, INSERT, UPDATE ON validations TO ap_app;
--rollback LOCK TABLE validations IN ACCESS EXCLUSIVE MODE;
--rollback ALTER TABLE validations RENAME TO validations_partitioned;
--rollback ALTER INDEX validations_pkey RENAME TO validations_partitioned_pkey;
--rollback ALTER SEQUENCE validations_id_seq RENAME TO validations_partitioned_id_seq;
--rollback DROP INDEX idx_validations_invoice;
--rollback DROP INDEX idx_validations_passed_created;
--rollback CREATE TABLE validations (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, invoice_id bigint NOT NULL CONSTRAINT validations_invoice_id_fkey REFERENCES invoices (id) ON DELETE CASCADE, rule_code text NOT NULL CONSTRAINT validations_rule_code_check CHECK (rule_code ~ '^[A-Z][A-Z0-9-]*$'), passed boolean NOT NULL, detail text, created_at timestamptz NOT NULL DEFAULT now(), severity text NOT NULL DEFAULT 'fatal' CONSTRAINT validations_severity_check CHECK (severity IN ('fatal', 'warning', 'information')), location text, source text);
--rollback INSERT INTO validations (id, invoice_id, rule_code, passed, detail, created_at, severity, location, source) OVERRIDING SYSTEM VALUE SELECT id, invoice_id, rule_code, passed, detail, created_at, severity, location, source FROM validations_partitioned;
--rollback SELECT setval(pg_get_serial_sequence('validations', 'id'), last_value, is_called) FROM validations_partitioned_id_seq;
--rollback DROP TABLE validations_partitioned;
--rollback CREATE INDEX idx_validations_invoice ON validations (invoice_id);
--rollback CREATE INDEX idx_validations_passed_created ON validations (passed, created_at DESC);
--rollback ALTER TABLE validations SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
--rollback GRANT SELECT, INSERT, UPDATE ON validations TO ap_app;
