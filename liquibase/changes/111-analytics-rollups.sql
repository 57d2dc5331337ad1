--liquibase formatted sql

--changeset ap-intake:111-analytics-rollup-tables
--comment: Daily rollups of the analytics questions, so an answer reads a few hundred rows per year instead of every fact in the period. Days are calendar days in analytics_settings.time_zone; the rollups are rebuilt when that or the confidence threshold changes (com.apintake.analytics.control.Rollups).
CREATE TABLE analytics_settings (
    id             boolean          PRIMARY KEY DEFAULT true CHECK (id),
    time_zone      text             NOT NULL DEFAULT 'UTC',
    min_confidence double precision NOT NULL DEFAULT 0.8 CHECK (min_confidence BETWEEN 0 AND 1),
    changed_at     timestamptz      NOT NULL DEFAULT now()
);
INSERT INTO analytics_settings DEFAULT VALUES;
-- Days whose facts changed since their rollup rows were computed. Every changing transaction adds its
-- own rows (never an upsert on a shared row: that would serialise intake on "today", and a mark that
-- an uncommitted transaction found already present could be consumed before its facts are visible).
-- The rollup timer deletes the marks it can see and recomputes those days in the same transaction.
CREATE TABLE analytics_dirty_days (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic     text        NOT NULL CHECK (topic IN ('confidence', 'exceptions', 'vendors', 'validations', 'exports')),
    day       date        NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_analytics_dirty_days_topic_day ON analytics_dirty_days (topic, day);
CREATE TABLE analytics_confidence_daily (
    day             date             PRIMARY KEY,
    extractions     bigint           NOT NULL CHECK (extractions > 0),
    confidence_sum  double precision NOT NULL,
    below_threshold bigint           NOT NULL
);
CREATE TABLE analytics_exceptions_daily (
    day          date   NOT NULL,
    type         text   NOT NULL,
    raised       bigint NOT NULL,
    resolved     bigint NOT NULL,
    median_hours double precision,
    PRIMARY KEY (day, type)
);
CREATE TABLE analytics_vendors_daily (
    day            date             NOT NULL,
    vendor_id      bigint           NOT NULL,
    invoices       bigint           NOT NULL CHECK (invoices > 0),
    with_exception bigint           NOT NULL,
    confidence_sum double precision NOT NULL,
    auto_approved  bigint           NOT NULL,
    PRIMARY KEY (day, vendor_id)
);
-- Whole months of the vendor rollup: a year's vendor question sums 12 months of a few thousand vendors
-- plus the partial months at either end, instead of 366 days of them.
CREATE TABLE analytics_vendors_monthly (
    month          date             NOT NULL CHECK (extract(day FROM month) = 1),
    vendor_id      bigint           NOT NULL,
    invoices       bigint           NOT NULL CHECK (invoices > 0),
    with_exception bigint           NOT NULL,
    confidence_sum double precision NOT NULL,
    auto_approved  bigint           NOT NULL,
    PRIMARY KEY (month, vendor_id)
);
CREATE TABLE analytics_validations_daily (
    day       date   NOT NULL,
    rule_code text   NOT NULL,
    checks    bigint NOT NULL,
    passed    bigint NOT NULL,
    PRIMARY KEY (day, rule_code)
);
CREATE TABLE analytics_exports_daily (
    day    date   NOT NULL,
    status text   NOT NULL,
    count  bigint NOT NULL,
    PRIMARY KEY (day, status)
);
--rollback DROP TABLE analytics_exports_daily, analytics_validations_daily, analytics_vendors_monthly, analytics_vendors_daily, analytics_exceptions_daily, analytics_confidence_daily, analytics_dirty_days, analytics_settings;

--changeset ap-intake:111-analytics-dirty-day-triggers splitStatements:false
--comment: Statement-level triggers mark the days a change touches, in the changing transaction, so a late change (an exception resolved, an export sent, a workflow move) reaches the rollups however the facts were written. SECURITY DEFINER: ap_app writes the facts but has no rights on the rollup tables.
CREATE FUNCTION analytics_mark_extractions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    tz text := (SELECT time_zone FROM analytics_settings);
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT t.topic, (n.created_at AT TIME ZONE tz)::date
        FROM new_rows n CROSS JOIN (VALUES ('confidence'), ('vendors')) t(topic);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT t.topic, (o.created_at AT TIME ZONE tz)::date
        FROM old_rows o CROSS JOIN (VALUES ('confidence'), ('vendors')) t(topic);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER analytics_extractions_insert AFTER INSERT ON invoice_extractions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_extractions();
CREATE TRIGGER analytics_extractions_update AFTER UPDATE ON invoice_extractions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_extractions();
CREATE TRIGGER analytics_extractions_delete AFTER DELETE ON invoice_extractions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_extractions();

-- The vendor figures of an invoice depend on its vendor and workflow state: a move marks the day of its extraction.
CREATE FUNCTION analytics_mark_invoices() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    tz text := (SELECT time_zone FROM analytics_settings);
BEGIN
    INSERT INTO analytics_dirty_days (topic, day)
    SELECT DISTINCT 'vendors', (x.created_at AT TIME ZONE tz)::date
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    JOIN invoice_extractions x ON x.invoice_id = n.id
    WHERE n.workflow_status IS DISTINCT FROM o.workflow_status OR n.vendor_id IS DISTINCT FROM o.vendor_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER analytics_invoices_update AFTER UPDATE ON invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_invoices();

-- An exception counts on the day it was raised (raised, median time to resolve) and on the day it was
-- resolved; whether an invoice has one at all changes the vendor figures of its extraction day.
CREATE FUNCTION analytics_mark_exceptions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    tz text := (SELECT time_zone FROM analytics_settings);
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT 'exceptions', (t AT TIME ZONE tz)::date
        FROM new_rows n CROSS JOIN LATERAL (VALUES (n.created_at), (n.resolved_at)) d(t)
        WHERE t IS NOT NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT 'exceptions', (t AT TIME ZONE tz)::date
        FROM old_rows o CROSS JOIN LATERAL (VALUES (o.created_at), (o.resolved_at)) d(t)
        WHERE t IS NOT NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT 'vendors', (x.created_at AT TIME ZONE tz)::date
        FROM new_rows n JOIN invoice_extractions x ON x.invoice_id = n.invoice_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT 'vendors', (x.created_at AT TIME ZONE tz)::date
        FROM old_rows o JOIN invoice_extractions x ON x.invoice_id = o.invoice_id;
    ELSE
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT 'vendors', (x.created_at AT TIME ZONE tz)::date
        FROM new_rows n
        JOIN old_rows o ON o.id = n.id AND o.invoice_id <> n.invoice_id
        JOIN invoice_extractions x ON x.invoice_id IN (n.invoice_id, o.invoice_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER analytics_exceptions_insert AFTER INSERT ON exceptions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_exceptions();
CREATE TRIGGER analytics_exceptions_update AFTER UPDATE ON exceptions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_exceptions();
CREATE TRIGGER analytics_exceptions_delete AFTER DELETE ON exceptions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_exceptions();

-- Validations and staged exports count on the day they were created.
CREATE FUNCTION analytics_mark_created() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    tz text := (SELECT time_zone FROM analytics_settings);
    topic text := TG_ARGV[0];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT topic, (n.created_at AT TIME ZONE tz)::date FROM new_rows n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO analytics_dirty_days (topic, day)
        SELECT DISTINCT topic, (o.created_at AT TIME ZONE tz)::date FROM old_rows o;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER analytics_validations_insert AFTER INSERT ON validations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_created('validations');
CREATE TRIGGER analytics_validations_update AFTER UPDATE ON validations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_created('validations');
CREATE TRIGGER analytics_validations_delete AFTER DELETE ON validations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_created('validations');
CREATE TRIGGER analytics_exports_insert AFTER INSERT ON staged_exports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_created('exports');
CREATE TRIGGER analytics_exports_update AFTER UPDATE ON staged_exports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_created('exports');
CREATE TRIGGER analytics_exports_delete AFTER DELETE ON staged_exports
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_created('exports');
--rollback DROP TRIGGER analytics_exports_delete ON staged_exports; DROP TRIGGER analytics_exports_update ON staged_exports; DROP TRIGGER analytics_exports_insert ON staged_exports;
--rollback DROP TRIGGER analytics_validations_delete ON validations; DROP TRIGGER analytics_validations_update ON validations; DROP TRIGGER analytics_validations_insert ON validations;
--rollback DROP TRIGGER analytics_exceptions_delete ON exceptions; DROP TRIGGER analytics_exceptions_update ON exceptions; DROP TRIGGER analytics_exceptions_insert ON exceptions;
--rollback DROP TRIGGER analytics_invoices_update ON invoices;
--rollback DROP TRIGGER analytics_extractions_delete ON invoice_extractions; DROP TRIGGER analytics_extractions_update ON invoice_extractions; DROP TRIGGER analytics_extractions_insert ON invoice_extractions;
--rollback DROP FUNCTION analytics_mark_created(); DROP FUNCTION analytics_mark_exceptions(); DROP FUNCTION analytics_mark_invoices(); DROP FUNCTION analytics_mark_extractions();

--changeset ap-intake:111-analytics-mark-history
--comment: The history that existed before the rollups: every day from the oldest to the newest fact is marked once per question; the rollup timer fills them in (GET /api/v1/analytics/rollups shows what is pending).
INSERT INTO analytics_dirty_days (topic, day)
SELECT t.topic, d::date
FROM (VALUES ('confidence'), ('exceptions'), ('vendors'), ('validations'), ('exports')) t(topic)
CROSS JOIN (SELECT min(first) AS first, max(last) AS last
            FROM (SELECT min(created_at) AS first, max(created_at) AS last FROM invoice_extractions
                  UNION ALL SELECT min(created_at), max(coalesce(resolved_at, created_at)) FROM exceptions
                  UNION ALL SELECT min(created_at), max(created_at) FROM validations
                  UNION ALL SELECT min(created_at), max(created_at) FROM staged_exports) s) span
CROSS JOIN LATERAL generate_series((span.first AT TIME ZONE 'UTC')::date, (span.last AT TIME ZONE 'UTC')::date, interval '1 day') d
WHERE span.first IS NOT NULL;
--rollback DELETE FROM analytics_dirty_days;
