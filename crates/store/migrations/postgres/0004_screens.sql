-- The device and settings screens (SPEC S11, S23, S28, B1): the supply levels devices report
-- with their status, and each user's e-mail notification choices. The SQLite twin is
-- ../sqlite/0004_screens.sql: keep them in step.

-- The latest supply report of a device: when it was taken, so that a late report never
-- replaces a newer list. Its rows in `supplies` are the list (none: the device reported an
-- empty list).
CREATE TABLE supply_reports (
    device_id BIGINT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    reported_at BIGINT NOT NULL
);
CREATE INDEX supply_reports_by_tenant ON supply_reports(tenant_id);

-- One supply of a device's latest report, in the order reported (`position`).
CREATE TABLE supplies (
    device_id BIGINT NOT NULL REFERENCES supply_reports(device_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                       -- 'toner' | 'ink' | 'drum' | 'other'
    color TEXT,                               -- one of store::supplies::SUPPLY_COLORS
    level_percent BIGINT,                     -- 0..100; NULL: the device cannot tell
    PRIMARY KEY (device_id, position)
);

-- A user's e-mail notification choices (S23). No row: everything off. Each event is
-- 'off', 'all' (all devices) or 'groups' (the devices of the groups in notification_groups).
CREATE TABLE notification_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    on_service_call TEXT NOT NULL DEFAULT 'off',
    on_error TEXT NOT NULL DEFAULT 'off',
    on_warning TEXT NOT NULL DEFAULT 'off',
    tell_toner_admins BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- The groups chosen for an event; a deleted group leaves the choice with it.
CREATE TABLE notification_groups (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    event TEXT NOT NULL,                      -- 'service_call' | 'error' | 'warning'
    group_id BIGINT NOT NULL REFERENCES device_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, event, group_id)
);
CREATE INDEX notification_groups_by_group ON notification_groups(group_id);
