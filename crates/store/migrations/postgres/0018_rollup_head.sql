-- Each roll-up row gains a *head*: the stats of its devices restricted to the counters a
-- contract bills on (Total 1, colour, monochrome), in the form of `data`
-- (meterport_store::rollups::Block::encode_head). `data` is tens of kilobytes, kept out of
-- line by TOAST; a query of the billing counters alone reads the head and never `data`.
-- Heads are NULL here and derived from `data` by the portal when it opens the database
-- (Store::fill_rollup_heads); a NULL head is read as its `data`.
ALTER TABLE day_rollups ADD COLUMN head BYTEA;
ALTER TABLE month_rollups ADD COLUMN head BYTEA;

-- Present while heads remain to be derived; removed when they are.
CREATE TABLE rollup_heads_pending (pending BIGINT NOT NULL);
INSERT INTO rollup_heads_pending (pending) VALUES (1);
