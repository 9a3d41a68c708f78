-- Each roll-up row is kept in two parts (meterport_store::rollups::Block::encode_split):
-- a *head*, its devices' stats restricted to the counters a contract bills on (Total 1,
-- colour, monochrome) with the covered and reset days, and in `data` the rest. The head
-- comes before `data` in the record, so a query of the billing counters alone reads the
-- head and never follows the rest's overflow pages; nothing is stored twice. SQLite adds a
-- column only at the end of a record: the tables are copied. A NULL head marks a row still
-- whole in `data`, as stored before; the portal splits such rows when it opens the
-- database (Store::fill_rollup_heads), and reads them whole until then.
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

-- Present while rows remain to be split; removed when they are.
CREATE TABLE rollup_heads_pending (pending BIGINT NOT NULL);
INSERT INTO rollup_heads_pending (pending) VALUES (1);
