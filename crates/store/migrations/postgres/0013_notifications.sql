-- Fleet health by e-mail (SPEC S23, B1): what each condition's notice became, and the
-- tenant's settings of the notifications.

-- A condition's notice: NULL while the notifier has not decided (it waits the tenant's
-- hold-down), 'sent' (users were told), 'dropped' (closed within the hold-down), 'none'
-- (opened before notifications were sent: not news).
ALTER TABLE conditions ADD COLUMN notice TEXT;
UPDATE conditions SET notice = 'none';
CREATE INDEX conditions_pending_notice ON conditions (since) WHERE notice IS NULL;

-- Conditions that close within this many minutes of opening are not mailed; conditions that
-- open within it reach a user in one mail.
ALTER TABLE tenants ADD COLUMN notify_holddown_minutes BIGINT NOT NULL DEFAULT 5;
-- The hour (tenant's zone) of the daily digest of low toner and ink.
ALTER TABLE tenants ADD COLUMN toner_digest_hour BIGINT NOT NULL DEFAULT 9;
-- A device that reported before and has sent nothing for this long is "not reporting".
ALTER TABLE tenants ADD COLUMN late_after_hours BIGINT NOT NULL DEFAULT 48;
