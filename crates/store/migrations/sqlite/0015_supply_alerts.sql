-- Toner and ink mail (SPEC S23): a supply of a device that went low or empty, from the
-- round that saw it until its level rises again (the row goes), so that its toner/ink
-- administrator is told once. `supply` is the supply's kind, colour and name
-- (store::supply_alerts::supply_key); `due_at` is when the mail goes: at once for an empty
-- supply, at the tenant's digest hour for a low one; `mailed_at` once it went.
CREATE TABLE supply_alerts (
    device_id BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    supply TEXT NOT NULL,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    state TEXT NOT NULL,
    level_percent BIGINT,
    opened_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    mailed_at BIGINT,
    PRIMARY KEY (device_id, supply)
);
CREATE INDEX supply_alerts_by_tenant ON supply_alerts (tenant_id);
