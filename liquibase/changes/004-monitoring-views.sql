--liquibase formatted sql

-- Views a DBA can use straight from psql (\x and SELECT * FROM table_maintenance;), and that the
-- application's monitoring reads too. CREATE OR REPLACE + runOnChange: edit in place, re-applied on change.
-- Dropped and recreated because CREATE OR REPLACE VIEW cannot rename or remove columns.

--changeset ap-intake:004-view-table-sizes runOnChange:true
--comment: Space per table: heap, indexes, TOAST, and the planner's row estimate.
DROP VIEW IF EXISTS table_sizes;
CREATE VIEW table_sizes AS
SELECT n.nspname                                     AS schema_name,
       c.relname                                     AS table_name,
       c.reltuples::bigint                           AS estimated_rows,
       pg_table_size(c.oid)                          AS table_bytes,
       pg_indexes_size(c.oid)                        AS index_bytes,
       pg_total_relation_size(c.oid)                 AS total_bytes,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY pg_total_relation_size(c.oid) DESC;
--rollback DROP VIEW IF EXISTS table_sizes;

--changeset ap-intake:004-view-index-usage runOnChange:true
--comment: Per index: scans, tuples read, size, and whether it backs a constraint. Counters are since the last statistics reset (pg_stat_database.stats_reset).
DROP VIEW IF EXISTS index_usage;
CREATE VIEW index_usage AS
SELECT s.schemaname                                 AS schema_name,
       s.relname                                    AS table_name,
       s.indexrelname                               AS index_name,
       s.idx_scan                                   AS index_scans,
       s.idx_tup_read                               AS tuples_read,
       s.idx_tup_fetch                              AS tuples_fetched,
       pg_relation_size(s.indexrelid)               AS index_bytes,
       pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size,
       i.indisunique                                AS is_unique,
       i.indisprimary                               AS is_primary,
       i.indisvalid                                 AS is_valid,
       t.seq_scan                                   AS table_seq_scans,
       t.idx_scan                                   AS table_index_scans,
       t.n_live_tup                                 AS table_live_rows,
       pg_get_indexdef(s.indexrelid)                AS definition
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
JOIN pg_stat_user_tables t ON t.relid = s.relid
ORDER BY s.schemaname, s.relname, s.indexrelname;
--rollback DROP VIEW IF EXISTS index_usage;

--changeset ap-intake:004-view-unused-indexes runOnChange:true
--comment: Indexes never scanned since the statistics reset that enforce no constraint: candidates for removal. liquibase_owned marks the seven performance indexes, which need stronger evidence (e.g. a full business cycle) before anyone drops them.
DROP VIEW IF EXISTS unused_indexes;
CREATE VIEW unused_indexes AS
SELECT s.schemaname                                   AS schema_name,
       s.relname                                      AS table_name,
       s.indexrelname                                 AS index_name,
       s.idx_scan                                     AS index_scans,
       pg_relation_size(s.indexrelid)                 AS index_bytes,
       pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size,
       s.indexrelname IN ('idx_invoices_file_hash_created', 'idx_invoices_workflow_status_created',
                          'idx_exceptions_resolved_created', 'idx_invoices_vendor_created_status',
                          'idx_extractions_created_confidence', 'idx_validations_passed_created',
                          'idx_staged_exports_status_created') AS liquibase_owned,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_since,
       pg_get_indexdef(s.indexrelid)                  AS definition
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0
  AND NOT i.indisunique
  AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
ORDER BY pg_relation_size(s.indexrelid) DESC;
--rollback DROP VIEW IF EXISTS unused_indexes;

--changeset ap-intake:004-view-table-maintenance runOnChange:true
--comment: Dead tuples, rows changed since the last analyze, last (auto)vacuum/analyze, and transaction-id age: what decides VACUUM and ANALYZE.
DROP VIEW IF EXISTS table_maintenance;
CREATE VIEW table_maintenance AS
SELECT s.schemaname                                   AS schema_name,
       s.relname                                      AS table_name,
       s.n_live_tup                                   AS live_rows,
       s.n_dead_tup                                   AS dead_rows,
       round(s.n_dead_tup::numeric / nullif(s.n_live_tup + s.n_dead_tup, 0), 4) AS dead_ratio,
       s.n_mod_since_analyze                          AS modified_since_analyze,
       s.n_ins_since_vacuum                           AS inserted_since_vacuum,
       s.last_vacuum,
       s.last_autovacuum,
       s.last_analyze,
       s.last_autoanalyze,
       s.vacuum_count,
       s.autovacuum_count,
       s.analyze_count,
       s.autoanalyze_count,
       age(c.relfrozenxid)                            AS xid_age,
       c.reloptions                                   AS storage_parameters
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
ORDER BY s.n_dead_tup DESC;
--rollback DROP VIEW IF EXISTS table_maintenance;

--changeset ap-intake:004-view-blocking-locks runOnChange:true
--comment: Who waits for whom: one row per (blocked, blocking) session pair, from pg_blocking_pids, with how long each has waited.
DROP VIEW IF EXISTS blocking_locks;
CREATE VIEW blocking_locks AS
SELECT blocked.pid                                  AS blocked_pid,
       blocked.usename                              AS blocked_user,
       blocked.application_name                     AS blocked_application,
       now() - blocked.query_start                  AS blocked_for,
       blocked.wait_event_type                      AS wait_event_type,
       blocked.wait_event                           AS wait_event,
       blocked.query                                AS blocked_query,
       blocking.pid                                 AS blocking_pid,
       blocking.usename                             AS blocking_user,
       blocking.application_name                    AS blocking_application,
       blocking.state                               AS blocking_state,
       now() - blocking.xact_start                  AS blocking_transaction_age,
       blocking.query                               AS blocking_query
FROM pg_stat_activity blocked
CROSS JOIN LATERAL unnest(pg_blocking_pids(blocked.pid)) AS b(pid)
JOIN pg_stat_activity blocking ON blocking.pid = b.pid
ORDER BY blocked.query_start;
--rollback DROP VIEW IF EXISTS blocking_locks;
