--liquibase formatted sql

--changeset ap-intake:112-analytics-rollup-tables
--comment: Daily rollups of the analytics questions, so an answer reads a few hundred rows per year instead of every fact in the period. Days are calendar days in analytics_settings.time_zone; the rollups are rebuilt when that or the confidence threshold changes (com.apintake.analytics.control.Rollups).
CREATE TABLE analytics_settings (
    id             boolean          PRIMARY KEY DEFAULT true CHECK (id),
    time_zone      text             NOT NULL DEFAULT 'UTC',
    min_confidence double precision NOT NULL DEFAULT 0.8 CHECK (min_confidence BETWEEN 0 AND 1),
    changed_at     timestamptz      NOT NULL DEFAULT now()
);
INSERT INTO analytics_settings DEFAULT VALUES;
-- Days whose facts changed and whose rollup rows are not yet recomputed: the rollup drain adds the
-- days it finds changed since its watermark (changeset 112-analytics-watermark) and consumes them in the
-- transaction that recomputes them.
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

--changeset ap-intake:112-analytics-watermark
--comment: Change detection without triggers (a trigger on a table the critical backup dumps would travel without its function and break a plain pg_restore): the rollup drain finds changed days from the rows' own timestamps since this watermark, minus a safety margin for transactions that commit late, and moves it (com.apintake.analytics.control.Rollups).
ALTER TABLE analytics_settings ADD COLUMN watermark timestamptz NOT NULL DEFAULT now();
COMMENT ON TABLE analytics_dirty_days IS 'Work queue of the rollup drain: topic-days found changed (from the facts'' timestamps since analytics_settings.watermark) and not yet recomputed. Written only by the drain and by a rebuild.';
--rollback ALTER TABLE analytics_settings DROP COLUMN watermark;

--changeset ap-intake:112-idx-invoices-updated-at runInTransaction:false
--comment: The rollup drain finds invoices moved (workflow status, vendor) since its watermark; without this index every drain reads the whole table.
-- Query: SELECT DISTINCT x.created_at::date FROM invoices i JOIN invoice_extractions x ON x.invoice_id = i.id WHERE i.updated_at >= :since;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_updated_at ON invoices (updated_at);
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_invoices_updated_at;

--changeset ap-intake:112-idx-staged-exports-exported-at runInTransaction:false
--comment: The rollup drain finds exports sent since its watermark (the row changes status on its creation day).
-- Query: SELECT DISTINCT created_at::date FROM staged_exports WHERE exported_at >= :since;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_staged_exports_exported_at ON staged_exports (exported_at) INCLUDE (created_at)
    WHERE exported_at IS NOT NULL;
--rollback DROP INDEX CONCURRENTLY IF EXISTS idx_staged_exports_exported_at;

--changeset ap-intake:112-analytics-mark-history
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
