--liquibase formatted sql

--changeset ap-intake:006-invoices-duplicate-of
--comment: A content duplicate (same vendor, number, date, gross amount and currency in another file) points at the invoice it repeats, so a person can compare the two before confirming or dismissing.
ALTER TABLE invoices ADD COLUMN duplicate_of bigint REFERENCES invoices (id);
CREATE INDEX idx_invoices_duplicate_of ON invoices (duplicate_of) WHERE duplicate_of IS NOT NULL;
--rollback ALTER TABLE invoices DROP COLUMN duplicate_of;
