--liquibase formatted sql

--changeset ap-intake:240-analytics-vendors-running
--comment: The vendors question in a constant number of rows per vendor for any period (docs/read-path-10m.md). analytics_vendors_running holds month-to-date totals per vendor and day (from the vendor's first day with invoices in the month up to the month's last day with data), analytics_vendors_before the totals of all months before a month (every month from the second with data to the one after the last). A period is then at most five slices of one day or month each (month-to-date at its last day, minus at the day before its start, the rest of its first month, and the whole months between as a difference of two "before" rows) instead of a row per vendor and day: at 10 M invoices 30 days were 113,000 daily rows. The primary keys include the totals, so every slice is an index-only range. Kept by com.apintake.analytics.control.Rollups in the drain that recomputes the vendor days; filled here from the daily and monthly rollups.
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
INSERT INTO analytics_vendors_running (day, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
SELECT g.day, f.vendor_id,
       sum(coalesce(d.invoices, 0)) OVER w, sum(coalesce(d.with_exception, 0)) OVER w,
       sum(coalesce(d.confidence_sum, 0)) OVER w, sum(coalesce(d.auto_approved, 0)) OVER w
FROM (SELECT date_trunc('month', day::timestamp)::date AS month, vendor_id, min(day) AS first
      FROM analytics_vendors_daily GROUP BY 1, 2) f
JOIN (SELECT date_trunc('month', day::timestamp)::date AS month, max(day) AS last
      FROM analytics_vendors_daily GROUP BY 1) l ON l.month = f.month
CROSS JOIN LATERAL (SELECT s::date AS day FROM generate_series(f.first::timestamp, l.last::timestamp, interval '1 day') s) g
LEFT JOIN analytics_vendors_daily d ON d.day = g.day AND d.vendor_id = f.vendor_id
WINDOW w AS (PARTITION BY f.month, f.vendor_id ORDER BY g.day);
INSERT INTO analytics_vendors_before (month, vendor_id, invoices, with_exception, confidence_sum, auto_approved)
SELECT g.month, f.vendor_id,
       sum(coalesce(m.invoices, 0)) OVER w, sum(coalesce(m.with_exception, 0)) OVER w,
       sum(coalesce(m.confidence_sum, 0)) OVER w, sum(coalesce(m.auto_approved, 0)) OVER w
FROM (SELECT vendor_id, min(month) AS first FROM analytics_vendors_monthly GROUP BY vendor_id) f
CROSS JOIN (SELECT max(month) AS last FROM analytics_vendors_monthly) l
CROSS JOIN LATERAL (SELECT s::date AS month
                    FROM generate_series(f.first + interval '1 month', l.last + interval '1 month', interval '1 month') s) g
LEFT JOIN analytics_vendors_monthly m ON m.vendor_id = f.vendor_id AND m.month = (g.month - interval '1 month')::date
WINDOW w AS (PARTITION BY f.vendor_id ORDER BY g.month);
ANALYZE analytics_vendors_running;
ANALYZE analytics_vendors_before;
--rollback DROP TABLE analytics_vendors_before, analytics_vendors_running;
