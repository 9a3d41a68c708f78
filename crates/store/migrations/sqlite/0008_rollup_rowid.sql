-- Roll-up rows hold a block's stats (kilobytes), more than a page of a WITHOUT ROWID table
-- keeps in place: SQLite compared a searched key against such rows by reading each one
-- whole, overflow pages and all, on every step of every index search, and rewrote the
-- overflow chains on every update. Here the rows live in ordinary rowid tables, found
-- through a small unique index on their key.
CREATE TABLE day_rollups_by_id (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    block BIGINT NOT NULL,
    day BIGINT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (tenant_id, block, day)
);
INSERT INTO day_rollups_by_id (tenant_id, block, day, data)
    SELECT tenant_id, block, day, data FROM day_rollups ORDER BY day, tenant_id, block;
DROP TABLE day_rollups;
ALTER TABLE day_rollups_by_id RENAME TO day_rollups;

CREATE TABLE month_rollups_by_id (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    block BIGINT NOT NULL,
    month BIGINT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (tenant_id, block, month)
);
INSERT INTO month_rollups_by_id (tenant_id, block, month, data)
    SELECT tenant_id, block, month, data FROM month_rollups ORDER BY month, tenant_id, block;
DROP TABLE month_rollups;
ALTER TABLE month_rollups_by_id RENAME TO month_rollups;
