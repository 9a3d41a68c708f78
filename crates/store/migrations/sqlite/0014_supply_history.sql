-- Days to empty (SPEC B1): the level history of each supply, from which the screens, the
-- read API and the toner mail forecast the day it runs out. The PostgreSQL twin is
-- ../postgres/0014_supply_history.sql: keep them in step.
--
-- One row per supply a device lists, named as the screens name it: kind, colour and name,
-- with `nth` telling apart supplies of one report that share all three (0 for the first).
-- Not by position: a device that lists its supplies in another order keeps their histories.
-- A supply the device no longer lists loses its row, as it leaves `supplies`.
--
-- `points` holds only the level changes since the supply was last replaced, at most 120,
-- encoded by meterport_domain::supply_forecast::LevelHistory (about 5 bytes a change): under
-- a kilobyte per supply however often the device reports, and the row is written only when
-- a report changes the level. Written in the transaction that stores the report's list
-- (store::supply_history). Histories start with the first report after this migration.
CREATE TABLE supply_history (
    device_id BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                       -- 'toner' | 'ink' | 'drum' | 'other'
    color TEXT NOT NULL,                      -- '' when the supply names no colour
    name TEXT NOT NULL,
    nth BIGINT NOT NULL,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    points BLOB NOT NULL,
    PRIMARY KEY (device_id, kind, color, name, nth)
);
CREATE INDEX supply_history_by_tenant ON supply_history(tenant_id);
