--liquibase formatted sql

-- Space (issue 12): a daily size snapshot per relation, from which GET /api/v1/database/space
-- computes growth per day and the days left to the disk budget; and bloat estimates a DBA can also
-- read in psql (SELECT * FROM table_bloat;). The estimates come from the planner's statistics (row
-- count, average column widths), so they need a recent ANALYZE and are rough for tiny tables.

--changeset ap-intake:120-relation-size-snapshots
--comment: One row per relation and day (the latest measurement of the day wins), purged after apintake.monitoring.retention-days.
CREATE TABLE relation_size_snapshots (
    taken_on       date        NOT NULL,
    schema_name    text        NOT NULL,
    relation_name  text        NOT NULL,
    kind           char(1)     NOT NULL CHECK (kind IN ('t', 'i', 'd')),
    bytes          bigint      NOT NULL CHECK (bytes >= 0),
    estimated_rows bigint,
    measured_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (taken_on, schema_name, relation_name)
);
--rollback DROP TABLE relation_size_snapshots;

--changeset ap-intake:120-view-table-bloat runOnChange:true
--comment: Estimated wasted heap space per table: actual pages against the pages its live rows need (row width from pg_stats, 24-byte tuple header and 4-byte item pointer per row).
DROP VIEW IF EXISTS table_bloat;
CREATE VIEW table_bloat AS
WITH widths AS (
    SELECT schemaname, tablename, sum((1 - coalesce(null_frac, 0)) * coalesce(avg_width, 0)) AS row_width
    FROM pg_stats
    GROUP BY schemaname, tablename
), sized AS (
    SELECT n.nspname AS schema_name,
           c.relname AS table_name,
           greatest(c.reltuples, 0)::bigint AS estimated_rows,
           pg_relation_size(c.oid) AS heap_bytes,
           ceil(greatest(c.reltuples, 0)::numeric * (coalesce(w.row_width, 0) + 28)
                / (current_setting('block_size')::numeric - 24))::bigint * current_setting('block_size')::bigint AS expected_bytes,
           s.n_dead_tup AS dead_rows
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN widths w ON w.schemaname = n.nspname AND w.tablename = c.relname
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.relkind IN ('r', 'm')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'
)
SELECT schema_name, table_name, estimated_rows, dead_rows, heap_bytes,
       greatest(heap_bytes - expected_bytes, 0)::bigint AS bloat_bytes,
       CASE WHEN heap_bytes > 0
            THEN round(100.0 * greatest(heap_bytes - expected_bytes, 0) / heap_bytes, 1) END AS bloat_percent
FROM sized
ORDER BY greatest(heap_bytes - expected_bytes, 0) DESC;
--rollback DROP VIEW IF EXISTS table_bloat;

--changeset ap-intake:120-view-index-bloat runOnChange:true
--comment: Estimated wasted space per B-tree index on plain columns: actual size against what its rows need at the default fillfactor 90 (key width from pg_stats, 8-byte index tuple header, 4-byte item pointer), plus the metapage.
DROP VIEW IF EXISTS index_bloat;
CREATE VIEW index_bloat AS
WITH keys AS (
    SELECT i.indexrelid, i.indrelid, sum(coalesce(s.avg_width, 8)) AS key_width, bool_and(k.attnum > 0) AS plain
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) AS k(attnum)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    LEFT JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    LEFT JOIN pg_stats s ON s.schemaname = tn.nspname AND s.tablename = t.relname AND s.attname = a.attname
    GROUP BY i.indexrelid, i.indrelid
), sized AS (
    SELECT n.nspname AS schema_name,
           t.relname AS table_name,
           c.relname AS index_name,
           x.indisvalid AS valid,
           greatest(t.reltuples, 0)::bigint AS estimated_rows,
           pg_relation_size(c.oid) AS index_bytes,
           (1 + ceil(greatest(t.reltuples, 0)::numeric * (k.key_width + 12)
                     / ((current_setting('block_size')::numeric - 24) * 0.9))::bigint) * current_setting('block_size')::bigint AS expected_bytes
    FROM keys k
    JOIN pg_index x ON x.indexrelid = k.indexrelid
    JOIN pg_class c ON c.oid = k.indexrelid
    JOIN pg_class t ON t.oid = k.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_am am ON am.oid = c.relam
    WHERE am.amname = 'btree' AND k.plain AND x.indexprs IS NULL
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'
)
SELECT schema_name, table_name, index_name, valid, estimated_rows, index_bytes,
       greatest(index_bytes - expected_bytes, 0)::bigint AS bloat_bytes,
       CASE WHEN index_bytes > 0
            THEN round(100.0 * greatest(index_bytes - expected_bytes, 0) / index_bytes, 1) END AS bloat_percent
FROM sized
ORDER BY greatest(index_bytes - expected_bytes, 0) DESC;
--rollback DROP VIEW IF EXISTS index_bloat;
