-- The counters query walks a tenant's devices in id order and, for each, a range of its
-- roll-ups. With this index the rows come out already in (device, period) order: no sort
-- of the whole answer (hundreds of thousands of roll-up rows for a large tenant) in a
-- temporary B-tree, and the first rows stream out at once.
CREATE INDEX devices_by_tenant_and_id ON devices(tenant_id, id);
