-- Meter mails (SPEC I2): what the SMTP listener refused, for the operator, and when each
-- device's last accepted mail arrived.

-- A refused mail of a tenant (its recipient token was valid): who sent it, when, why, and
-- the message as received, cut at store::mail_rejects::MAX_KEPT_BYTES (`truncated` says
-- so). At most store::mail_rejects::MAX_PER_TENANT rows per tenant are kept, oldest first
-- out, so a misconfigured device that mails every minute cannot grow the database.
CREATE TABLE mail_rejects (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    received_at BIGINT NOT NULL,
    sender TEXT NOT NULL,
    client TEXT NOT NULL,
    reason TEXT NOT NULL,
    message_bytes BIGINT NOT NULL,
    truncated SMALLINT NOT NULL,
    message BLOB NOT NULL
);
CREATE INDEX mail_rejects_by_tenant ON mail_rejects (tenant_id, received_at);

-- The arrival time of the last mail that stored a reading of the device (S9: a device that
-- reports by mail has no status, so the screens show when it last wrote).
CREATE TABLE device_mail_times (
    device_id BIGINT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    last_mail_at BIGINT NOT NULL
);
