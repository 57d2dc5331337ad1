--liquibase formatted sql

--changeset ap-intake:240-analytics-vendors-running
--comment: The vendors question in a constant number of rows per vendor for any period (docs/read-path-10m.md). analytics_vendors_running holds month-to-date totals per vendor and day (from the vendor's first day with invoices in the month up to the month's last day with data), analytics_vendors_before the totals of all months before a month (every month from the second with data to the one after the last). A period is then at most five slices of one day or month each (month-to-date at its last day, minus at the day before its start, the rest of its first month, and the whole months between as a difference of two "before" rows) instead of a row per vendor and day: at 10 M invoices 30 days were 113,000 daily rows. The primary keys include the totals, so every slice is an index-only range. Kept by com.apintake.analytics.control.Rollups in the drain that recomputes the vendor days, which also fills them (one mark per month below).
CREATE TABLE analytics_vendors_running (
    day            date             NOT NULL,
    vendor_id      bigint           NOT NULL,
    invoices       bigint           NOT NULL CHECK (invoices > 0),
    with_exception bigint           NOT NULL,
    confidence_sum double precision NOT NULL,
    auto_approved  bigint           NOT NULL,
    PRIMARY KEY (day, vendor_id) INCLUDE (invoices, with_exception, confidence_sum, auto_approved)
);
CREATE TABLE analytics_vendors_before (
    month          date             NOT NULL CHECK (extract(day FROM month) = 1),
    vendor_id      bigint           NOT NULL,
    invoices       bigint           NOT NULL CHECK (invoices > 0),
    with_exception bigint           NOT NULL,
    confidence_sum double precision NOT NULL,
    auto_approved  bigint           NOT NULL,
    PRIMARY KEY (month, vendor_id) INCLUDE (invoices, with_exception, confidence_sum, auto_approved)
);
-- Filled by the rollup drain, not here: at 10 M invoices filling them in one statement took longer than the
-- pool's 30 s leak timeout that the migration's connection is under, and was reclaimed. Recomputing one vendors
-- day of a month rebuilds that month's month-to-date rows from that day on, its total, and the totals before
-- every later month, so one mark per month with vendor rows (its first day) fills both tables; answers drain
-- the marks before they read (GET /api/v1/analytics/rollups shows what is pending).
INSERT INTO analytics_dirty_days (topic, day)
SELECT 'vendors', min(day) FROM analytics_vendors_daily GROUP BY date_trunc('month', day::timestamp) ORDER BY 2;
--rollback DROP TABLE analytics_vendors_before, analytics_vendors_running;
