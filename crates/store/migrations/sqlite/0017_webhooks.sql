-- Webhooks (SPEC B4): an operator registers, per tenant, URLs that receive a signed JSON
-- POST for every condition opened or closed and every device that stops or resumes
-- reporting. The secret signs the bodies (HMAC-SHA256); it is shown once when registered.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id);

-- What happened to a device, for the webhooks: written in the transaction of the change,
-- and only while the tenant has an active webhook. 'condition_opened' and
-- 'condition_closed' carry the condition; 'stopped_reporting' and 'resumed_reporting' not.
CREATE TABLE device_events (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    device_id BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    code TEXT,
    severity TEXT,
    message TEXT,
    at BIGINT NOT NULL
);

-- One event to one webhook: retried with backoff until the receiver answers 2xx or the
-- attempts run out (store::webhooks::MAX_ATTEMPTS).
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES device_events(id) ON DELETE CASCADE,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL;

-- A stop of a device that ended: when the device was heard from again (the webhook's
-- 'resumed_reporting'); NULL while it is still silent, and again when it stops anew.
ALTER TABLE late_notices ADD COLUMN resumed_at BIGINT;
