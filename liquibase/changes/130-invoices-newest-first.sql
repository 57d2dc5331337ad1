--liquibase formatted sql

-- The console's invoice list (and GET /api/v1/invoices without filters) shows the newest invoices of
-- all statuses first, paged by keyset. Without this index PostgreSQL reads and sorts every invoice for
-- each page: about 1.3-2 s at 1 M invoices (Seq Scan + top-N sort); with it, an index scan of 50 rows.
-- Built CONCURRENTLY, so outside a transaction.

--changeset ap-intake:130-idx-invoices-created-id runInTransaction:false
--comment: Newest invoices of all statuses, keyset paging on (created_at, id).
-- Query: SELECT ... FROM invoices i ORDER BY i.created_at DESC, i.id DESC LIMIT 50;
-- Query: SELECT ... FROM invoices i WHERE (i.created_at, i.id) < (:created_at, :id) ORDER BY i.created_at DESC, i.id DESC LIMIT 50;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_created_id ON invoices (created_at DESC, id DESC);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_invoices_created_id;
