--liquibase formatted sql

--changeset ap-intake:190-analytics-scan-snapshot
--comment: The snapshot the last rollup drain scanned under (taken before its change-finding statement). A fact row whose xmin is visible in it was already marked; so the check before an analytics answer ("anything committed since the last scan?") is one read-only statement over the margin window, and a drain re-marks only what is new (com.apintake.analytics.control.Rollups).
ALTER TABLE analytics_settings ADD COLUMN scan_snapshot pg_snapshot;
--rollback ALTER TABLE analytics_settings DROP COLUMN scan_snapshot;
