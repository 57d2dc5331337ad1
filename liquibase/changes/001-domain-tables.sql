--liquibase formatted sql

--changeset ap-intake:001-vendors
--comment: The vendor master. Bank details are the fraud-sensitive part: an invoice whose IBAN differs from this row is held.
CREATE TABLE vendors (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text        NOT NULL CHECK (length(btrim(name)) > 0),
    vat_id            text        CHECK (vat_id IS NULL OR vat_id ~ '^[A-Z]{2}[0-9A-Za-z+*.]{2,13}$'),
    seller_identifier text,
    iban              text        CHECK (iban IS NULL OR iban ~ '^[A-Z]{2}[0-9]{2}[0-9A-Z]{11,30}$'),
    account_holder    text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- Vendor match looks vendors up by VAT id first, then by seller identifier, then by name.
CREATE UNIQUE INDEX uq_vendors_vat_id ON vendors (vat_id) WHERE vat_id IS NOT NULL;
CREATE INDEX idx_vendors_seller_identifier ON vendors (seller_identifier) WHERE seller_identifier IS NOT NULL;
CREATE INDEX idx_vendors_lower_name ON vendors (lower(name));
--rollback DROP TABLE vendors;

--changeset ap-intake:001-invoices
--comment: One row per distinct invoice file. file_hash is the SHA-256 of the bytes; its unique index (002) decides duplicates.
CREATE TABLE invoices (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_hash         text          NOT NULL CHECK (file_hash ~ '^[0-9a-f]{64}$'),
    original_filename text,
    content_type      text          NOT NULL,
    size_bytes        bigint        NOT NULL CHECK (size_bytes >= 0),
    vendor_id         bigint        REFERENCES vendors (id),
    invoice_number    text,
    type_code         text,
    issue_date        date,
    due_date          date,
    currency          char(3)       CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$'),
    total_net         numeric(19,2),
    total_vat         numeric(19,2),
    total_gross       numeric(19,2),
    amount_due        numeric(19,2),
    status            text          NOT NULL DEFAULT 'RECEIVED'
                      CHECK (status IN ('RECEIVED', 'PROCESSED', 'NEEDS_MANUAL_ENTRY')),
    workflow_status   text          NOT NULL DEFAULT 'RECEIVED'
                      CHECK (workflow_status IN ('RECEIVED', 'EXTRACTED', 'VALIDATED', 'EXCEPTIONS_FOUND',
                                                 'SUSPECTED_DUPLICATE', 'PENDING_APPROVAL', 'APPROVED', 'STAGED',
                                                 'EXPORTED', 'CONFIRMED_DUPLICATE', 'REJECTED')),
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    CHECK (due_date IS NULL OR issue_date IS NULL OR due_date >= issue_date - 366)
);
-- Content-duplicate check: same vendor + invoice number (+ date, amount, currency compared on the few hits).
CREATE INDEX idx_invoices_vendor_number ON invoices (vendor_id, invoice_number) WHERE invoice_number IS NOT NULL;
--rollback DROP TABLE invoices;

--changeset ap-intake:001-invoice-documents
--comment: The original bytes, kept out of the invoices heap so scans of invoices stay narrow and access can be granted separately.
CREATE TABLE invoice_documents (
    invoice_id bigint PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    content    bytea NOT NULL
);
--rollback DROP TABLE invoice_documents;

--changeset ap-intake:001-invoice-extractions
CREATE TABLE invoice_extractions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id      bigint      NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    format          text        NOT NULL CHECK (format IN ('UBL', 'CII', 'FACTURX', 'PDF')),
    fields          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    confidence_json jsonb       NOT NULL
                    CHECK (jsonb_typeof(confidence_json -> 'overall') = 'number'
                           AND (confidence_json ->> 'overall')::float BETWEEN 0 AND 1),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_extractions_invoice ON invoice_extractions (invoice_id);
--rollback DROP TABLE invoice_extractions;

--changeset ap-intake:001-validations
CREATE TABLE validations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id bigint      NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    rule_code  text        NOT NULL CHECK (rule_code ~ '^[A-Z][A-Z0-9-]*$'),
    passed     boolean     NOT NULL,
    detail     text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_validations_invoice ON validations (invoice_id);
--rollback DROP TABLE validations;

--changeset ap-intake:001-exceptions
--comment: Exceptions are raised for a person to resolve; a resolved row always says who and when.
CREATE TABLE exceptions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id  bigint      NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    type        text        NOT NULL CHECK (type ~ '^[A-Z][A-Z_]*$'),
    detail      text,
    resolved    boolean     NOT NULL DEFAULT false,
    resolved_by text,
    resolution  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    CHECK (resolved = (resolved_at IS NOT NULL)),
    CHECK (NOT resolved OR resolved_by IS NOT NULL)
);
CREATE INDEX idx_exceptions_invoice ON exceptions (invoice_id);
--rollback DROP TABLE exceptions;

--changeset ap-intake:001-staged-exports
--comment: An approved invoice waits here (PENDING) until a batch file carrying it is written; then EXPORTED with the batch id.
CREATE TABLE staged_exports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id  bigint      NOT NULL UNIQUE REFERENCES invoices (id) ON DELETE CASCADE,
    batch       text,
    status      text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'EXPORTED', 'FAILED')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    exported_at timestamptz,
    CHECK (status <> 'EXPORTED' OR (batch IS NOT NULL AND exported_at IS NOT NULL))
);
CREATE INDEX idx_staged_exports_batch ON staged_exports (batch) WHERE batch IS NOT NULL;
--rollback DROP TABLE staged_exports;
