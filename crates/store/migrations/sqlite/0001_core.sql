-- meterport's core schema (SQLite). The PostgreSQL twin is ../postgres/0001_core.sql: keep
-- them in step. Every time is a BIGINT of UTC milliseconds; every id a BIGINT; flags are
-- 0/1 BIGINTs; so one set of queries runs on both databases.

-- A customer company. Counter periods are calendar days and months in its time zone, so the
-- zone is fixed once set: changing it would move readings between days.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL,
    retention_months BIGINT,                  -- NULL keeps every reading
    paper_sizes TEXT NOT NULL DEFAULT 'a3,a4,b4,b5',
    created_at BIGINT NOT NULL
);

-- A customer user. The user name is unique across the portal: login asks for no tenant.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    email TEXT,                               -- the confirmed notification address
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'ja',
    locale TEXT NOT NULL DEFAULT 'ja-JP',
    timezone TEXT,                            -- NULL: the tenant's
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    last_login_at BIGINT,
    previous_login_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_by_tenant ON users(tenant_id);

CREATE TABLE device_groups (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

-- A device; its serial is its identity across the portal (T2). `status` is derived from the
-- open conditions (S9) and kept here so that the device list of a large fleet is one scan.
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    serial TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    product TEXT NOT NULL,
    device_type TEXT NOT NULL,
    protocol TEXT NOT NULL,
    mac TEXT,
    host TEXT,
    building TEXT,
    location TEXT,
    remote_ui_url TEXT,
    lfp_unit TEXT,
    group_id BIGINT REFERENCES device_groups(id) ON DELETE SET NULL,
    toner_admin_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'unknown',
    last_reading_at BIGINT,                   -- the latest read_at stored
    status_at BIGINT,                         -- the latest status report applied
    created_at BIGINT NOT NULL
);
CREATE INDEX devices_by_tenant ON devices(tenant_id, group_id);

-- Ingest tokens (kind 'ingest') and read tokens acting as a user (kind 'read'). Only a
-- SHA-256 of the token is kept: tokens have 128+ random bits, so a slow hash adds nothing.
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Serials that tried to report without being registered (I5), per tenant of the token.
CREATE TABLE unknown_serials (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    serial TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, serial)
);

-- Every reading as received: counters encoded by meterport_domain::counters::CounterSet.
-- The primary key makes (serial, read_at) idempotent (I4).
CREATE TABLE readings (
    device_id BIGINT NOT NULL REFERENCES devices(id),
    read_at BIGINT NOT NULL,
    counters BLOB NOT NULL,
    PRIMARY KEY (device_id, read_at)
) WITHOUT ROWID;

-- Roll-ups kept at ingest time (meterport_domain::engine::PeriodStats): per device and
-- tenant-local day (yyyymmdd) and month (yyyymm). Queries read these, not the readings.
CREATE TABLE day_usage (
    device_id BIGINT NOT NULL REFERENCES devices(id),
    day BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (device_id, day)
) WITHOUT ROWID;

CREATE TABLE month_usage (
    device_id BIGINT NOT NULL REFERENCES devices(id),
    month BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (device_id, month)
) WITHOUT ROWID;

-- Status conditions (I6): open while closed_at is NULL.
CREATE TABLE conditions (
    id INTEGER PRIMARY KEY,
    device_id BIGINT NOT NULL REFERENCES devices(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    since BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX conditions_open ON conditions(device_id) WHERE closed_at IS NULL;

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    tenant_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit_log(at);
