--liquibase formatted sql

--changeset ap-intake:100-validation-details
--comment: The official EN 16931 artefacts report each failed assert with a flag (fatal or warning), the XPath where it failed and the rule set that holds it; a warning is kept and shown but does not fail the invoice.
ALTER TABLE validations
    ADD COLUMN severity text NOT NULL DEFAULT 'fatal' CHECK (severity IN ('fatal', 'warning', 'information')),
    ADD COLUMN location text,
    ADD COLUMN source   text;
--rollback ALTER TABLE validations DROP COLUMN severity, DROP COLUMN location, DROP COLUMN source;
