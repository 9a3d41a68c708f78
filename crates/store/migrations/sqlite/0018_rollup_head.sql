-- Each roll-up row gains a *head*: the stats of its devices restricted to the counters a
-- contract bills on (Total 1, colour, monochrome), in the form of `data`
-- (meterport_store::rollups::Block::encode_head). A row's `data` is tens of kilobytes kept
-- in overflow pages; the head is a few, and it comes before `data` in the record, so a
-- query of the billing counters alone reads the head and never follows `data`'s chain.
-- SQLite adds a column only at the end of a record: the tables are copied. Heads are NULL
-- here and derived from `data` by the portal when it opens the database
-- (Store::fill_rollup_heads); a NULL head is read as its `data`.
CREATE TABLE day_rollups_with_head (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    block BIGINT NOT NULL,
    day BIGINT NOT NULL,
    head BLOB,
    data BLOB NOT NULL,
    UNIQUE (tenant_id, block, day)
);
INSERT INTO day_rollups_with_head (id, tenant_id, block, day, head, data)
    SELECT id, tenant_id, block, day, NULL, data FROM day_rollups ORDER BY id;
DROP TABLE day_rollups;
ALTER TABLE day_rollups_with_head RENAME TO day_rollups;

CREATE TABLE month_rollups_with_head (
    id INTEGER PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    block BIGINT NOT NULL,
    month BIGINT NOT NULL,
    head BLOB,
    data BLOB NOT NULL,
    UNIQUE (tenant_id, block, month)
);
INSERT INTO month_rollups_with_head (id, tenant_id, block, month, head, data)
    SELECT id, tenant_id, block, month, NULL, data FROM month_rollups ORDER BY id;
DROP TABLE month_rollups;
ALTER TABLE month_rollups_with_head RENAME TO month_rollups;

-- Present while heads remain to be derived; removed when they are.
CREATE TABLE rollup_heads_pending (pending BIGINT NOT NULL);
INSERT INTO rollup_heads_pending (pending) VALUES (1);
