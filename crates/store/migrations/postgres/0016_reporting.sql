-- Devices that stop reporting ("Fleet health by e-mail"): when the portal last heard from each
-- device, each device's own threshold, the users' choice to be told, and what the notifier
-- told of each stop. The rule is meterport_domain::reporting.

-- When the portal last heard from a device, as arrival times (not the times the reports
-- carry: a collector's backlog arrives late, and arrival is what says the device lives). Kept
-- where each kind of report already writes, so that hearing costs no statement of its own:
-- - readings (over HTTP or in meter mails): the ingest writer's group commit upserts
--   device_reading_times for every device it stores readings of, and sets heard_at in the
--   same statement. NULL for rows written before this column (none after the backfill).
-- - status reports: apply_status rewrites the device's row (status, status_at) anyway and
--   sets status_heard_at in the same UPDATE.
-- The last report is the later of the two (store::devices::HEARD_SQL). Before this migration
-- only the readings' own times and the last meter mail's arrival were kept: the backfill takes
-- the latest of those, and the last status report's time.
ALTER TABLE device_reading_times ADD COLUMN heard_at BIGINT;
UPDATE device_reading_times SET heard_at = GREATEST(last_at, COALESCE(
    (SELECT m.last_mail_at FROM device_mail_times m
     WHERE m.device_id = device_reading_times.device_id), last_at));
ALTER TABLE devices ADD COLUMN status_heard_at BIGINT;
UPDATE devices SET status_heard_at = status_at;

-- A device's own threshold in hours (the operator's `admin device set-reporting`), for
-- devices known to report less often than the tenant's threshold; NULL: the tenant's
-- (tenants.late_after_hours).
ALTER TABLE devices ADD COLUMN late_after_hours BIGINT;

-- The fourth choice of the notification screen (S23): 'off', 'all' or 'groups' (the groups
-- in notification_groups with event 'late'), as for the severities.
ALTER TABLE notification_settings ADD COLUMN on_late TEXT NOT NULL DEFAULT 'off';

-- What the notifier decided about each device's current or last stop, identified by the last
-- report before it (heard_at): one row per device, replaced when the device stops again after
-- reporting, so each stop is decided once. notice: 'sent' (some user was told) or 'none'
-- (nobody chose to be told); decided_at: the round's time. Written in the transaction that
-- queues the mails.
CREATE TABLE late_notices (
    device_id BIGINT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    heard_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL,
    notice TEXT NOT NULL
);
CREATE INDEX late_notices_by_tenant ON late_notices (tenant_id);
