--liquibase formatted sql

-- Autovacuum's defaults (vacuum at 20 % dead rows, analyze at 10 % changed) suit small tables. Our hot
-- tables grow to millions of rows, where 20 % means hundreds of thousands of dead tuples before a
-- vacuum and stale statistics for days. Per-table storage parameters make autovacuum act in
-- proportion to how each table is used.

--changeset ap-intake:005-autovacuum-invoices
--comment: invoices: every workflow step updates the row (workflow_status, updated_at), so dead tuples accrue steadily; vacuum at 2 %, analyze at 1 % so the planner sees the shifting status mix. fillfactor 90 leaves room for HOT updates of updated_at.
ALTER TABLE invoices SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.01, fillfactor = 90);
--rollback ALTER TABLE invoices RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, fillfactor);

--changeset ap-intake:005-autovacuum-append-only
--comment: validations and invoice_extractions are append-mostly: dead tuples are rare, but index-only scans need a fresh visibility map, so vacuum after 5 % new rows (insert threshold) and analyze at 2 % so new date ranges get statistics.
ALTER TABLE validations SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE invoice_extractions SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
--rollback ALTER TABLE validations RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor);
--rollback ALTER TABLE invoice_extractions RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor);

--changeset ap-intake:005-autovacuum-queues
--comment: exceptions and staged_exports are work queues: rows are inserted and then updated once (resolved, exported). The partial state the indexes serve (resolved = false, status = PENDING) is small and churns, so vacuum at 5 % and analyze at 2 %; fillfactor 85 keeps those single updates HOT where no indexed column changes.
ALTER TABLE exceptions SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02, fillfactor = 85);
ALTER TABLE staged_exports SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02, fillfactor = 85);
--rollback ALTER TABLE exceptions RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, fillfactor);
--rollback ALTER TABLE staged_exports RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, fillfactor);
