--liquibase formatted sql

-- Monthly range partitions for the three tables that grow fastest (validations, invoice_extractions,
-- audit_log), issue 11. A partition covers one calendar month in UTC and is named <table>_pYYYY_MM;
-- its indexes are named <partitioned index>_pYYYY_MM, so a plan that uses a partition's index still
-- names the seed's index (idx_validations_passed_created_p2026_12). Each table also has a DEFAULT
-- partition (<table>_default) so that a row outside every month partition is stored rather than
-- refused: intake must never fail because the maintenance timer has not run. The maintenance timer
-- (maintenance/control/Partitions) keeps apintake.partitions.months-ahead months created ahead, so the
-- DEFAULT partition stays empty in practice. Created by these functions only, by the migration, the
-- maintenance and the data generator alike.

--changeset ap-intake:160-partition-setup-function splitStatements:false
--comment: What every partition of the three tables carries beyond what PARTITION OF gives it: index names that carry the partitioned index's name, the autovacuum settings of changeset 005 (a partitioned table cannot hold storage parameters), and for audit_log the TRUNCATE trigger (statement triggers are not cloned to partitions).
CREATE FUNCTION partition_setup(parent regclass, child regclass) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    base   text := (SELECT relname FROM pg_class WHERE oid = parent);
    name   text := (SELECT relname FROM pg_class WHERE oid = child);
    suffix text := substr(name, length(base) + 2);
    r      record;
    wanted text;
BEGIN
    FOR r IN
        SELECT ci.relname AS index_name, pi.relname AS parent_index
        FROM pg_index x
        JOIN pg_class ci ON ci.oid = x.indexrelid
        JOIN pg_inherits ii ON ii.inhrelid = x.indexrelid
        JOIN pg_class pi ON pi.oid = ii.inhparent
        WHERE x.indrelid = child
    LOOP
        wanted := left(r.parent_index, 62 - length(suffix)) || '_' || suffix;
        IF r.index_name <> wanted THEN
            EXECUTE format('ALTER INDEX %I RENAME TO %I', r.index_name, wanted);
        END IF;
    END LOOP;
    IF base IN ('validations', 'invoice_extractions') THEN
        EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)', child);
    END IF;
    IF base = 'audit_log' AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = child AND tgname = 'audit_log_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()', child);
    END IF;
END
$$;
--rollback DROP FUNCTION partition_setup(regclass, regclass);

--changeset ap-intake:160-create-month-partition-function splitStatements:false
--comment: Creates the partition of one calendar month (UTC) unless it exists; answers its name, or null when it existed. Fails when the DEFAULT partition already holds rows of that month (they must be moved first).
CREATE FUNCTION create_month_partition(parent regclass, month date) RETURNS text
    LANGUAGE plpgsql
AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    child text := (SELECT relname FROM pg_class WHERE oid = parent) || to_char(first, '"_p"YYYY_MM');
BEGIN
    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = parent AND c.relname = child) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', child, parent,
                   first::timestamp AT TIME ZONE 'UTC', (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    PERFORM partition_setup(parent, child::regclass);
    RETURN child;
END
$$;
--rollback DROP FUNCTION create_month_partition(regclass, date);

--changeset ap-intake:160-create-month-partitions-function splitStatements:false
--comment: The month partitions covering [from, to] (UTC months), created where missing; answers the names created.
CREATE FUNCTION create_month_partitions(parent regclass, from_time timestamptz, to_time timestamptz) RETURNS SETOF text
    LANGUAGE plpgsql
AS $$
DECLARE
    month   date := date_trunc('month', from_time AT TIME ZONE 'UTC')::date;
    created text;
BEGIN
    WHILE month <= (to_time AT TIME ZONE 'UTC')::date LOOP
        created := create_month_partition(parent, month);
        IF created IS NOT NULL THEN
            RETURN NEXT created;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
END
$$;
--rollback DROP FUNCTION create_month_partitions(regclass, timestamptz, timestamptz);
