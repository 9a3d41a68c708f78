-- Each roll-up row is kept in two parts (meterport_store::rollups::Block::encode_split):
-- a *head*, its devices' stats restricted to the counters a contract bills on (Total 1,
-- colour, monochrome) with the covered and reset days, and in `data` the rest (TOAST keeps
-- both out of line). A query of the billing counters alone reads the head only; nothing is
-- stored twice. A NULL head marks a row still whole in `data`, as stored before; the portal
-- splits such rows when it opens the database (Store::fill_rollup_heads), and reads them
-- whole until then.
ALTER TABLE day_rollups ADD COLUMN head BYTEA;
ALTER TABLE month_rollups ADD COLUMN head BYTEA;

-- Present while rows remain to be split; removed when they are.
CREATE TABLE rollup_heads_pending (pending BIGINT NOT NULL);
INSERT INTO rollup_heads_pending (pending) VALUES (1);
