-- A supply's state as the device reported it (issue 12): 'ok', 'low', 'empty',
-- 'some_remaining' or 'unknown' (store::supplies::SupplyState); NULL: the level decides.
-- An SNMP agent says "some remaining" (Printer-MIB level -3) without a percentage, and
-- knows a waste receptacle at 5 % is not low, which a level alone cannot tell.
ALTER TABLE supplies ADD COLUMN state TEXT;
