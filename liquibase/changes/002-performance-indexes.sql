--liquibase formatted sql

-- The seven performance indexes. Each is built CONCURRENTLY, so it never blocks intake while it is
-- built on a live table, and therefore outside a transaction (runInTransaction:false). Each carries
-- the query it exists for; the column order follows that query: equality columns first, then the
-- range / ORDER BY column. The integration test SchemaIT runs each of these queries under EXPLAIN on
-- realistic row counts and expects the planner to choose the index.
-- A CONCURRENTLY build that fails leaves an INVALID index behind; the "IF NOT EXISTS" would then keep
-- it, so a failed build must be dropped by hand (the recommendations list invalid indexes).

--changeset ap-intake:002-idx-invoices-file-hash-created runInTransaction:false
--comment: Duplicate-by-hash is decided here. UNIQUE on file_hash makes concurrent uploads of one file race-free (INSERT ... ON CONFLICT (file_hash)); created_at rides along so the check is an index-only scan.
-- Query: SELECT id, created_at FROM invoices WHERE file_hash = :hash;
-- Query: INSERT INTO invoices (file_hash, ...) VALUES (...) ON CONFLICT (file_hash) DO NOTHING RETURNING id;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_file_hash_created ON invoices (file_hash) INCLUDE (created_at);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_invoices_file_hash_created;

--changeset ap-intake:002-idx-invoices-workflow-status-created runInTransaction:false
--comment: Work queues: the newest invoices in one workflow state (pending approval, exceptions found, ...).
-- Query: SELECT id, invoice_number, created_at FROM invoices WHERE workflow_status = :status ORDER BY created_at DESC, id DESC LIMIT 50;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_workflow_status_created ON invoices (workflow_status, created_at DESC);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_invoices_workflow_status_created;

--changeset ap-intake:002-idx-exceptions-resolved-created runInTransaction:false
--comment: The exception inbox: open exceptions, newest first. Most exceptions are resolved, so resolved = false is selective.
-- Query: SELECT id, invoice_id, type, created_at FROM exceptions WHERE resolved = false ORDER BY created_at DESC LIMIT 50;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_exceptions_resolved_created ON exceptions (resolved, created_at DESC);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_exceptions_resolved_created;

--changeset ap-intake:002-idx-invoices-vendor-created-status runInTransaction:false
--comment: A vendor's invoices in a period by workflow state (vendor analytics, vendor page). vendor_id leads, so it also serves the foreign key.
-- Query: SELECT workflow_status, count(*) FROM invoices WHERE vendor_id = :vendor AND created_at >= :from AND created_at < :to GROUP BY workflow_status;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_vendor_created_status ON invoices (vendor_id, created_at, workflow_status);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_invoices_vendor_created_status;

--changeset ap-intake:002-idx-extractions-created-confidence runInTransaction:false
--comment: Extraction quality over time: daily average confidence, and low-confidence extractions in a period.
-- Query: SELECT date_trunc('day', created_at) AS day, avg((confidence_json->>'overall')::float) FROM invoice_extractions WHERE created_at >= :from AND created_at < :to GROUP BY 1;
-- Query: SELECT invoice_id FROM invoice_extractions WHERE created_at >= :from AND (confidence_json->>'overall')::float < :threshold;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_extractions_created_confidence ON invoice_extractions (created_at, ((confidence_json ->> 'overall')::float));
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_extractions_created_confidence;

--changeset ap-intake:002-idx-validations-passed-created runInTransaction:false
--comment: Recent validation failures. Most validations pass, so passed = false is selective.
-- Query: SELECT invoice_id, rule_code, detail, created_at FROM validations WHERE passed = false ORDER BY created_at DESC LIMIT 100;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_validations_passed_created ON validations (passed, created_at DESC);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_validations_passed_created;

--changeset ap-intake:002-idx-staged-exports-status-created runInTransaction:false
--comment: The export run takes pending rows oldest first, so a batch is fair and resumable.
-- Query: SELECT id, invoice_id FROM staged_exports WHERE status = 'PENDING' ORDER BY created_at, id LIMIT 500 FOR UPDATE SKIP LOCKED;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_staged_exports_status_created ON staged_exports (status, created_at);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_staged_exports_status_created;
