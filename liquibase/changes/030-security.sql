--liquibase formatted sql

--changeset ap-intake:030-app-role splitStatements:false
--comment: ap_app is the role the application's business queries run under (SET LOCAL ROLE per transaction). It is neither owner nor superuser, so row-level security and column privileges apply to it even when the pool logs in as the schema owner. Roles are cluster-wide: created only when missing (needs CREATEROLE, or a DBA creates it first).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ap_app') THEN
        CREATE ROLE ap_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
    END IF;
END
$$;
GRANT ap_app TO CURRENT_USER;
--rollback REVOKE ap_app FROM CURRENT_USER;

--changeset ap-intake:030-app-has-role splitStatements:false
--comment: The application sets app.roles (comma-separated) and app.user per transaction from the authenticated caller; policies ask this function. Unset or empty means no role at all.
CREATE FUNCTION app_has_role(wanted text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(wanted = ANY (string_to_array(nullif(current_setting('app.roles', true), ''), ',')), false)
$$;
--rollback DROP FUNCTION app_has_role(text);

--changeset ap-intake:030-users
--comment: Users of the API. password_hash is Jakarta Security's Pbkdf2PasswordHash output (algorithm:iterations:salt:hash, salted per user). Not granted to ap_app: only the identity store and the dba-only user endpoints read it.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
    password_hash text        NOT NULL CHECK (password_hash ~ '^PBKDF2With'),
    enabled       boolean     NOT NULL DEFAULT true,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE user_roles (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    text   NOT NULL CHECK (role IN ('ap-clerk', 'ap-approver', 'dba')),
    PRIMARY KEY (user_id, role)
);
--rollback DROP TABLE user_roles; DROP TABLE users;

--changeset ap-intake:030-audit-log splitStatements:false
--comment: Who did what and when. Append-only: ap_app may only insert (as itself, see the policy) and a trigger refuses UPDATE, DELETE and TRUNCATE for everyone, the owner included.
CREATE TABLE audit_log (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor   text        NOT NULL CHECK (length(actor) > 0),
    action  text        NOT NULL CHECK (action ~ '^[a-z]+(\.[a-z-]+)+$'),
    subject text,
    detail  text
);
CREATE INDEX idx_audit_log_actor ON audit_log (actor, id DESC);
CREATE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
--rollback DROP TABLE audit_log; DROP FUNCTION audit_log_append_only();

--changeset ap-intake:030-recorded-by
--comment: The authenticated user on the rows they changed (exceptions.resolved_by already exists).
ALTER TABLE invoices ADD COLUMN uploaded_by text, ADD COLUMN decided_by text, ADD COLUMN decided_at timestamptz;
ALTER TABLE vendors ADD COLUMN updated_by text;
ALTER TABLE staged_exports ADD COLUMN exported_by text;
--rollback ALTER TABLE staged_exports DROP COLUMN exported_by; ALTER TABLE vendors DROP COLUMN updated_by; ALTER TABLE invoices DROP COLUMN uploaded_by, DROP COLUMN decided_by, DROP COLUMN decided_at;

--changeset ap-intake:030-app-grants
--comment: What business code may do as ap_app. No DELETE anywhere; vendors.iban and vendors.account_holder are not readable at all (column privileges): they are read through vendors_visible or compared by vendor_bank_check.
GRANT SELECT, INSERT, UPDATE ON invoices, invoice_extractions, validations, exceptions, staged_exports TO ap_app;
GRANT SELECT, INSERT ON invoice_documents TO ap_app;
GRANT SELECT (id, name, vat_id, seller_identifier, created_at, updated_at, updated_by) ON vendors TO ap_app;
GRANT INSERT (name, vat_id, seller_identifier, iban, account_holder, updated_by) ON vendors TO ap_app;
GRANT UPDATE (name, vat_id, seller_identifier, iban, account_holder, updated_at, updated_by) ON vendors TO ap_app;
GRANT SELECT, INSERT ON audit_log TO ap_app;
--rollback REVOKE ALL ON invoices, invoice_extractions, validations, exceptions, staged_exports, invoice_documents, vendors, audit_log FROM ap_app;

--changeset ap-intake:030-row-security
--comment: Original documents only for ap-clerk and ap-approver; vendor rows only for them, changed only by ap-approver; the audit trail read only by dba and written only under the caller's own name.
-- The policies spell the role test out instead of calling app_has_role(): a table-only pg_dump (the
-- critical backup) carries policies but not the functions they call, and would not restore.
ALTER TABLE invoice_documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON invoice_documents FOR SELECT TO ap_app
    USING (string_to_array(current_setting('app.roles', true), ',') && ARRAY['ap-clerk', 'ap-approver']);
CREATE POLICY documents_insert ON invoice_documents FOR INSERT TO ap_app
    WITH CHECK (string_to_array(current_setting('app.roles', true), ',') && ARRAY['ap-clerk', 'ap-approver']);
ALTER TABLE vendors ENABLE ROW LEVEL SECURITY;
CREATE POLICY vendors_read ON vendors FOR SELECT TO ap_app
    USING (string_to_array(current_setting('app.roles', true), ',') && ARRAY['ap-clerk', 'ap-approver']);
CREATE POLICY vendors_insert ON vendors FOR INSERT TO ap_app
    WITH CHECK (string_to_array(current_setting('app.roles', true), ',') && ARRAY['ap-approver']);
CREATE POLICY vendors_update ON vendors FOR UPDATE TO ap_app
    USING (string_to_array(current_setting('app.roles', true), ',') && ARRAY['ap-approver']) WITH CHECK (string_to_array(current_setting('app.roles', true), ',') && ARRAY['ap-approver']);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit_log FOR SELECT TO ap_app
    USING (string_to_array(current_setting('app.roles', true), ',') && ARRAY['dba']);
CREATE POLICY audit_insert ON audit_log FOR INSERT TO ap_app
    WITH CHECK (actor = current_setting('app.user', true));
--rollback DROP POLICY audit_insert ON audit_log; DROP POLICY audit_read ON audit_log; ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY vendors_update ON vendors; DROP POLICY vendors_insert ON vendors; DROP POLICY vendors_read ON vendors; ALTER TABLE vendors DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY documents_insert ON invoice_documents; DROP POLICY documents_read ON invoice_documents; ALTER TABLE invoice_documents DISABLE ROW LEVEL SECURITY;

--changeset ap-intake:030-vendors-visible
--comment: The vendor master as the caller may see it: bank details only for ap-approver. A security-barrier view owned by the schema owner, so it can read the columns ap_app cannot, and filters rows itself.
CREATE VIEW vendors_visible WITH (security_barrier) AS
SELECT id, name, vat_id, seller_identifier,
       CASE WHEN app_has_role('ap-approver') THEN iban END           AS iban,
       CASE WHEN app_has_role('ap-approver') THEN account_holder END AS account_holder,
       created_at, updated_at, updated_by
FROM vendors
WHERE app_has_role('ap-clerk') OR app_has_role('ap-approver');
GRANT SELECT ON vendors_visible TO ap_app;
--rollback DROP VIEW vendors_visible;

--changeset ap-intake:030-vendor-bank-check splitStatements:false
--comment: The intake compares an invoice's IBAN with the vendor master without reading it: only whether one is on file, whether it matches, and a mask to tell two apart.
CREATE FUNCTION vendor_bank_check(p_vendor_id bigint, p_iban text)
    RETURNS TABLE (on_file boolean, matches boolean, masked_on_file text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
DECLARE
    stored text;
BEGIN
    IF NOT (app_has_role('ap-clerk') OR app_has_role('ap-approver')) THEN
        RAISE EXCEPTION 'vendor_bank_check needs the application role ap-clerk or ap-approver' USING ERRCODE = '42501';
    END IF;
    SELECT v.iban INTO stored FROM public.vendors v WHERE v.id = p_vendor_id;
    RETURN QUERY SELECT stored IS NOT NULL,
                        stored IS NOT NULL AND stored = upper(replace(coalesce(p_iban, ''), ' ', '')),
                        CASE WHEN stored IS NULL THEN NULL
                             WHEN length(stored) <= 8 THEN '****'
                             ELSE left(stored, 4) || '****' || right(stored, 4) END;
END
$$;
REVOKE ALL ON FUNCTION vendor_bank_check(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vendor_bank_check(bigint, text) TO ap_app;
--rollback DROP FUNCTION vendor_bank_check(bigint, text);
