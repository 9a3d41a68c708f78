-- Each device's first and latest stored reading time, in a narrow table of their own: every
-- ingest request moves the latest time of thousands of devices, and kept in the device rows
-- (a few hundred bytes each, every page of the table touched by a fleet's request) those
-- moves rewrote the whole devices table at each commit. A device without readings has no
-- row here.
CREATE TABLE device_reading_times (
    device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
INSERT INTO device_reading_times (device_id, first_at, last_at)
    SELECT id, first_reading_at, last_reading_at FROM devices
    WHERE first_reading_at IS NOT NULL AND last_reading_at IS NOT NULL ORDER BY id;
ALTER TABLE devices DROP COLUMN first_reading_at;
ALTER TABLE devices DROP COLUMN last_reading_at;
