--liquibase formatted sql

-- invoice_extractions becomes a partitioned table like validations (161): same name, columns (the
-- generated overall_confidence of 110 included), checks, foreign key, grants, autovacuum settings and
-- named indexes (the seed's idx_extractions_created_confidence and 110's idx_extractions_created_overall
-- as partitioned indexes); primary key (id, created_at); nothing references invoice_extractions.id.

--changeset ap-intake:162-partition-invoice-extractions
--comment: Range-partition invoice_extractions by month (created_at, UTC); see 160 for the partition layout.
LOCK TABLE invoice_extractions IN ACCESS EXCLUSIVE MODE;
ALTER TABLE invoice_extractions RENAME TO invoice_extractions_unpartitioned;
ALTER INDEX invoice_extractions_pkey RENAME TO invoice_extractions_unpartitioned_pkey;
ALTER SEQUENCE invoice_extractions_id_seq RENAME TO invoice_extractions_unpartitioned_id_seq;
DROP INDEX idx_extractions_invoice;
DROP INDEX idx_extractions_created_confidence;
DROP INDEX idx_extractions_created_overall;
CREATE TABLE invoice_extractions (
    id                 bigint      GENERATED ALWAYS AS IDENTITY,
    invoice_id         bigint      NOT NULL CONSTRAINT invoice_extractions_invoice_id_fkey REFERENCES invoices (id) ON DELETE CASCADE,
    format             text        NOT NULL CONSTRAINT invoice_extractions_format_check CHECK (format IN ('UBL', 'CII', 'FACTURX', 'PDF')),
    fields             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    confidence_json    jsonb       NOT NULL
                       CONSTRAINT invoice_extractions_confidence_json_check CHECK (jsonb_typeof(confidence_json -> 'overall') = 'number'
                              AND (confidence_json ->> 'overall')::float BETWEEN 0 AND 1),
    created_at         timestamptz NOT NULL DEFAULT now(),
    overall_confidence double precision GENERATED ALWAYS AS ((confidence_json ->> 'overall')::double precision) STORED,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
SELECT count(*) FROM create_month_partitions('invoice_extractions', coalesce((SELECT min(created_at) FROM invoice_extractions_unpartitioned), now()), greatest(now(), (SELECT max(created_at) FROM invoice_extractions_unpartitioned)) + interval '3 months');
CREATE TABLE invoice_extractions_default PARTITION OF invoice_extractions DEFAULT;
INSERT INTO invoice_extractions (id, invoice_id, format, fields, confidence_json, created_at) OVERRIDING SYSTEM VALUE
    SELECT id, invoice_id, format, fields, confidence_json, created_at FROM invoice_extractions_unpartitioned;
SELECT setval(pg_get_serial_sequence('invoice_extractions', 'id'), last_value, is_called) FROM invoice_extractions_unpartitioned_id_seq;
DROP TABLE invoice_extractions_unpartitioned;
CREATE INDEX idx_extractions_invoice ON invoice_extractions (invoice_id);
CREATE INDEX idx_extractions_created_confidence ON invoice_extractions (created_at, ((confidence_json ->> 'overall')::float));
CREATE INDEX idx_extractions_created_overall ON invoice_extractions (created_at, overall_confidence) INCLUDE (invoice_id);
SELECT count(partition_setup('invoice_extractions', inhrelid)) FROM pg_inherits WHERE inhparent = 'invoice_extractions'::regclass;
GRANT SELECT, INSERT, UPDATE ON invoice_extractions TO ap_app;
--rollback LOCK TABLE invoice_extractions IN ACCESS EXCLUSIVE MODE;
--rollback ALTER TABLE invoice_extractions RENAME TO invoice_extractions_partitioned;
--rollback ALTER INDEX invoice_extractions_pkey RENAME TO invoice_extractions_partitioned_pkey;
--rollback ALTER SEQUENCE invoice_extractions_id_seq RENAME TO invoice_extractions_partitioned_id_seq;
--rollback DROP INDEX idx_extractions_invoice;
--rollback DROP INDEX idx_extractions_created_confidence;
--rollback DROP INDEX idx_extractions_created_overall;
--rollback CREATE TABLE invoice_extractions (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, invoice_id bigint NOT NULL CONSTRAINT invoice_extractions_invoice_id_fkey REFERENCES invoices (id) ON DELETE CASCADE, format text NOT NULL CONSTRAINT invoice_extractions_format_check CHECK (format IN ('UBL', 'CII', 'FACTURX', 'PDF')), fields jsonb NOT NULL DEFAULT '{}'::jsonb, confidence_json jsonb NOT NULL CONSTRAINT invoice_extractions_confidence_json_check CHECK (jsonb_typeof(confidence_json -> 'overall') = 'number' AND (confidence_json ->> 'overall')::float BETWEEN 0 AND 1), created_at timestamptz NOT NULL DEFAULT now(), overall_confidence double precision GENERATED ALWAYS AS ((confidence_json ->> 'overall')::double precision) STORED);
--rollback INSERT INTO invoice_extractions (id, invoice_id, format, fields, confidence_json, created_at) OVERRIDING SYSTEM VALUE SELECT id, invoice_id, format, fields, confidence_json, created_at FROM invoice_extractions_partitioned;
--rollback SELECT setval(pg_get_serial_sequence('invoice_extractions', 'id'), last_value, is_called) FROM invoice_extractions_partitioned_id_seq;
--rollback DROP TABLE invoice_extractions_partitioned;
--rollback CREATE INDEX idx_extractions_invoice ON invoice_extractions (invoice_id);
--rollback CREATE INDEX idx_extractions_created_confidence ON invoice_extractions (created_at, ((confidence_json ->> 'overall')::float));
--rollback CREATE INDEX idx_extractions_created_overall ON invoice_extractions (created_at, overall_confidence) INCLUDE (invoice_id);
--rollback ALTER TABLE invoice_extractions SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
--rollback GRANT SELECT, INSERT, UPDATE ON invoice_extractions TO ap_app;
