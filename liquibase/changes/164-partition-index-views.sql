--liquibase formatted sql

-- pg_stat_user_indexes knows only the indexes of the partitions, not the partitioned indexes that
-- Liquibase names (idx_validations_passed_created, ...). index_usage therefore also lists each
-- partitioned index with the sums over its partitions' indexes, and unused_indexes no longer offers a
-- partition's index for removal: it cannot be dropped alone, only its partitioned index can.

--changeset ap-intake:164-view-index-usage-partitioned
--comment: index_usage (004) plus one row per partitioned index, summed over its partitions' indexes.
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
UNION ALL
SELECT n.nspname,
       ct.relname,
       ci.relname,
       sum(s.idx_scan)::bigint,
       sum(s.idx_tup_read)::bigint,
       sum(s.idx_tup_fetch)::bigint,
       sum(pg_relation_size(s.indexrelid))::bigint,
       pg_size_pretty(sum(pg_relation_size(s.indexrelid))),
       i.indisunique,
       i.indisprimary,
       i.indisvalid,
       sum(t.seq_scan)::bigint,
       sum(t.idx_scan)::bigint,
       sum(t.n_live_tup)::bigint,
       pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid AND ci.relkind = 'I'
JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ci.relnamespace
LEFT JOIN pg_inherits p ON p.inhparent = i.indexrelid
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = p.inhrelid
LEFT JOIN pg_stat_user_tables t ON t.relid = s.relid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY n.nspname, ct.relname, ci.relname, i.indexrelid, i.indisunique, i.indisprimary, i.indisvalid
ORDER BY 1, 2, 3;
--rollback DROP VIEW IF EXISTS index_usage;
--rollback CREATE VIEW index_usage AS SELECT s.schemaname AS schema_name, s.relname AS table_name, s.indexrelname AS index_name, s.idx_scan AS index_scans, s.idx_tup_read AS tuples_read, s.idx_tup_fetch AS tuples_fetched, pg_relation_size(s.indexrelid) AS index_bytes, pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size, i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid, t.seq_scan AS table_seq_scans, t.idx_scan AS table_index_scans, t.n_live_tup AS table_live_rows, pg_get_indexdef(s.indexrelid) AS definition FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid JOIN pg_stat_user_tables t ON t.relid = s.relid ORDER BY s.schemaname, s.relname, s.indexrelname;

--changeset ap-intake:164-view-unused-indexes-partitioned
--comment: unused_indexes (004) without the indexes of partitions (they cannot be dropped alone), plus each partitioned index none of whose partitions' indexes was scanned.
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
  AND NOT EXISTS (SELECT 1 FROM pg_inherits p WHERE p.inhrelid = s.indexrelid)
UNION ALL
SELECT u.schema_name, u.table_name, u.index_name, u.index_scans, u.index_bytes, u.index_size,
       u.index_name IN ('idx_extractions_created_confidence', 'idx_validations_passed_created'),
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),
       u.definition
FROM index_usage u
JOIN pg_class ci ON ci.relname = u.index_name AND ci.relkind = 'I'
JOIN pg_namespace n ON n.oid = ci.relnamespace AND n.nspname = u.schema_name
WHERE coalesce(u.index_scans, 0) = 0
  AND NOT u.is_unique
  AND NOT u.is_primary
ORDER BY 5 DESC NULLS LAST;
--rollback DROP VIEW IF EXISTS unused_indexes;
--rollback CREATE VIEW unused_indexes AS SELECT s.schemaname AS schema_name, s.relname AS table_name, s.indexrelname AS index_name, s.idx_scan AS index_scans, pg_relation_size(s.indexrelid) AS index_bytes, pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size, s.indexrelname IN ('idx_invoices_file_hash_created', 'idx_invoices_workflow_status_created', 'idx_exceptions_resolved_created', 'idx_invoices_vendor_created_status', 'idx_extractions_created_confidence', 'idx_validations_passed_created', 'idx_staged_exports_status_created') AS liquibase_owned, (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_since, pg_get_indexdef(s.indexrelid) AS definition FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid) ORDER BY pg_relation_size(s.indexrelid) DESC;
