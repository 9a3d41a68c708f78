-- Untrusted input kept bounded, and the login limit shared by every instance.

-- Serials that tried to report unregistered: at most a fixed number per tenant are kept
-- (store::devices::MAX_UNKNOWN_SERIALS), the oldest dropped first and counted here, so
-- that a flood of made-up serials cannot grow the database. Rows longer than a serial
-- can be (64 characters) were never a device and go.
DELETE FROM unknown_serials WHERE length(serial) > 64;
ALTER TABLE tenants ADD COLUMN unknown_serials_dropped BIGINT NOT NULL DEFAULT 0;
CREATE INDEX unknown_serials_by_age ON unknown_serials (tenant_id, last_seen);

-- Login attempts per client address (S2), as one row per address kept by the generic cell
-- rate algorithm: `tat` is the theoretical arrival time of the next attempt in epoch
-- milliseconds; an attempt is allowed while tat - now stays within the window. `nonce`
-- tells the caller whether its own attempt was the one counted (store::throttle).
CREATE TABLE login_throttle (
    addr TEXT PRIMARY KEY,
    tat BIGINT NOT NULL,
    nonce BIGINT NOT NULL
);
