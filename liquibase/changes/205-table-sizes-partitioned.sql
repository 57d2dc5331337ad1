--liquibase formatted sql

-- pg_table_size and pg_total_relation_size of a partitioned table are 0: its rows and indexes live in
-- its partitions. table_sizes therefore gave validations, invoice_extractions and audit_log 0 bytes.
-- Each partitioned table's row now carries the sums over its leaf partitions (which keep their own
-- rows), and two columns say which rows are parents and how many partitions they sum.

--changeset ap-intake:205-view-table-sizes-partitioned
--comment: table_sizes (004) with each partitioned table's bytes and row estimate summed over its leaf partitions; partitioned and partitions columns added.
DROP VIEW IF EXISTS table_sizes;
CREATE VIEW table_sizes AS
SELECT n.nspname                                                  AS schema_name,
       c.relname                                                  AS table_name,
       CASE WHEN c.relkind = 'p' THEN coalesce(p.rows, 0) ELSE c.reltuples::bigint END AS estimated_rows,
       CASE WHEN c.relkind = 'p' THEN coalesce(p.table_bytes, 0) ELSE pg_table_size(c.oid) END AS table_bytes,
       CASE WHEN c.relkind = 'p' THEN coalesce(p.index_bytes, 0) ELSE pg_indexes_size(c.oid) END AS index_bytes,
       CASE WHEN c.relkind = 'p' THEN coalesce(p.total_bytes, 0) ELSE pg_total_relation_size(c.oid) END AS total_bytes,
       pg_size_pretty(CASE WHEN c.relkind = 'p' THEN coalesce(p.total_bytes, 0)
                           ELSE pg_total_relation_size(c.oid) END) AS total_size,
       c.relkind = 'p'                                            AS partitioned,
       coalesce(p.partitions, 0)                                  AS partitions
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT count(*)::int                                  AS partitions,
           sum(greatest(l.reltuples, 0))::bigint           AS rows,
           sum(pg_table_size(t.relid))::bigint             AS table_bytes,
           sum(pg_indexes_size(t.relid))::bigint           AS index_bytes,
           sum(pg_total_relation_size(t.relid))::bigint    AS total_bytes
    FROM pg_partition_tree(c.oid) t
    JOIN pg_class l ON l.oid = t.relid
    WHERE t.isleaf AND c.relkind = 'p'
) p ON true
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 6 DESC;
--rollback DROP VIEW IF EXISTS table_sizes;
--rollback CREATE VIEW table_sizes AS SELECT n.nspname AS schema_name, c.relname AS table_name, c.reltuples::bigint AS estimated_rows, pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes, pg_total_relation_size(c.oid) AS total_bytes, pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY pg_total_relation_size(c.oid) DESC;
