-- Readings and roll-ups laid out in the order a fleet reports: by time, not by device.
-- The PostgreSQL twin is ../postgres/0006_time_clustered.sql: keep them in step.
--
-- A fleet reports in time order: one batch holds one reading of each of thousands of
-- devices. Keyed by (device, time), each reading of a batch lands on its own B-tree page,
-- and every one of those pages is written at commit. Keyed by (time, device), the batch's
-- readings are neighbours and fill a few pages. The same holds for the roll-ups: they are
-- kept per *block* of 64 neighbouring device ids (meterport_store::rollups), so a batch
-- rewrites one row per block and period instead of one per device, and a query of a whole
-- fleet reads one row per block and period.

-- Every reading as received. `day` is the UTC day of `read_at` (read_at div 86,400,000):
-- it puts the readings of one day together, and it is derived from read_at alone, so the
-- key still makes (device, read_at) unique (I4). No foreign key: the store deletes a
-- device's readings itself (a child-key check would scan this table).
CREATE TABLE readings_by_day (
    day BIGINT NOT NULL,
    device_id BIGINT NOT NULL,
    read_at BIGINT NOT NULL,
    counters BLOB NOT NULL,
    PRIMARY KEY (day, device_id, read_at)
) WITHOUT ROWID;
INSERT INTO readings_by_day (day, device_id, read_at, counters)
    SELECT read_at / 86400000, device_id, read_at, counters FROM readings;
DROP TABLE readings;
ALTER TABLE readings_by_day RENAME TO readings;

-- The first stored read_at of a device: with last_reading_at it bounds the days to visit
-- for its readings.
ALTER TABLE devices ADD COLUMN first_reading_at BIGINT;
UPDATE devices SET first_reading_at =
    (SELECT MIN(read_at) FROM readings WHERE readings.device_id = devices.id);

-- Roll-ups per tenant, block of devices (device_id div 64) and tenant-local day (yyyymmdd)
-- or month (yyyymm): `data` holds the PeriodStats of each device of the block that has a
-- reading in the period (meterport_store::rollups::Block).
CREATE TABLE day_rollups (
    tenant_id BIGINT NOT NULL,
    block BIGINT NOT NULL,
    day BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (tenant_id, block, day)
) WITHOUT ROWID;
CREATE TABLE month_rollups (
    tenant_id BIGINT NOT NULL,
    block BIGINT NOT NULL,
    month BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (tenant_id, block, month)
) WITHOUT ROWID;
DROP TABLE day_usage;
DROP TABLE month_usage;

-- The roll-ups are rebuilt from the readings once, at the next start (Store::open), when
-- this table holds a row.
CREATE TABLE rollup_rebuild (pending BIGINT NOT NULL);
INSERT INTO rollup_rebuild (pending) SELECT 1 WHERE EXISTS (SELECT 1 FROM readings);
