--liquibase formatted sql

-- audit_log becomes a partitioned table (by "at", month, UTC) like validations (161). It stays
-- append-only: the row trigger refusing UPDATE and DELETE is cloned to every partition, the TRUNCATE
-- trigger is created on the parent and on every partition (partition_setup, 160), ap_app holds
-- SELECT and INSERT on the parent only (no privilege at all on a partition), and the row-level
-- security policies are the ones of 030. Primary key (id, at); the audit reader pages by id, which
-- keeps its identity sequence. Dropping an old partition is the only way rows leave, and only when
-- apintake.partitions.retention-months.audit_log is set (default 0: never).

--changeset ap-intake:163-partition-audit-log
--comment: Range-partition audit_log by month (at, UTC); see 160 for the partition layout.
LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE;
ALTER TABLE audit_log RENAME TO audit_log_unpartitioned;
ALTER INDEX audit_log_pkey RENAME TO audit_log_unpartitioned_pkey;
ALTER SEQUENCE audit_log_id_seq RENAME TO audit_log_unpartitioned_id_seq;
DROP INDEX idx_audit_log_actor;
CREATE TABLE audit_log (
    id      bigint      GENERATED ALWAYS AS IDENTITY,
    at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor   text        NOT NULL CONSTRAINT audit_log_actor_check CHECK (length(actor) > 0),
    action  text        NOT NULL CONSTRAINT audit_log_action_check CHECK (action ~ '^[a-z]+(\.[a-z-]+)+$'),
    subject text,
    detail  text,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
SELECT count(*) FROM create_month_partitions('audit_log', coalesce((SELECT min(at) FROM audit_log_unpartitioned), now()), greatest(now(), (SELECT max(at) FROM audit_log_unpartitioned)) + interval '3 months');
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
INSERT INTO audit_log (id, at, actor, action, subject, detail) OVERRIDING SYSTEM VALUE
    SELECT id, at, actor, action, subject, detail FROM audit_log_unpartitioned;
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), last_value, is_called) FROM audit_log_unpartitioned_id_seq;
DROP TABLE audit_log_unpartitioned;
CREATE INDEX idx_audit_log_actor ON audit_log (actor, id DESC);
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
SELECT count(partition_setup('audit_log', inhrelid)) FROM pg_inherits WHERE inhparent = 'audit_log'::regclass;
GRANT SELECT, INSERT ON audit_log TO ap_app;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit_log FOR SELECT TO ap_app
    USING (string_to_array(current_setting('app.roles', true), ',') && ARRAY['dba']);
CREATE POLICY audit_insert ON audit_log FOR INSERT TO ap_app
    WITH CHECK (actor = current_setting('app.user', true));
--rollback LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE;
--rollback ALTER TABLE audit_log RENAME TO audit_log_partitioned;
--rollback ALTER INDEX audit_log_pkey RENAME TO audit_log_partitioned_pkey;
--rollback ALTER SEQUENCE audit_log_id_seq RENAME TO audit_log_partitioned_id_seq;
--rollback DROP INDEX idx_audit_log_actor;
--rollback CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), actor text NOT NULL CONSTRAINT audit_log_actor_check CHECK (length(actor) > 0), action text NOT NULL CONSTRAINT audit_log_action_check CHECK (action ~ '^[a-z]+(\.[a-z-]+)+$'), subject text, detail text);
--rollback INSERT INTO audit_log (id, at, actor, action, subject, detail) OVERRIDING SYSTEM VALUE SELECT id, at, actor, action, subject, detail FROM audit_log_partitioned;
--rollback SELECT setval(pg_get_serial_sequence('audit_log', 'id'), last_value, is_called) FROM audit_log_partitioned_id_seq;
--rollback DROP TABLE audit_log_partitioned;
--rollback CREATE INDEX idx_audit_log_actor ON audit_log (actor, id DESC);
--rollback CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--rollback CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
--rollback GRANT SELECT, INSERT ON audit_log TO ap_app;
--rollback ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--rollback CREATE POLICY audit_read ON audit_log FOR SELECT TO ap_app USING (string_to_array(current_setting('app.roles', true), ',') && ARRAY['dba']);
--rollback CREATE POLICY audit_insert ON audit_log FOR INSERT TO ap_app WITH CHECK (actor = current_setting('app.user', true));
