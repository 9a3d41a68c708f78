-- A tenant's directory version: bumped by every change to what the counters tables show of
-- its devices (which devices, their serial, name, location, class, LFP unit, group and the
-- group's name). A reader that keeps a large tenant's device list in memory reads this one
-- number to know whether its copy is still current. Triggers, so that no writer (the
-- portal, an admin command in another process) can forget it. Readings and status updates
-- change none of these columns and leave it alone.
ALTER TABLE tenants ADD COLUMN directory_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER directory_device_added AFTER INSERT ON devices
BEGIN
    UPDATE tenants SET directory_version = directory_version + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER directory_device_removed AFTER DELETE ON devices
BEGIN
    UPDATE tenants SET directory_version = directory_version + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER directory_device_changed
AFTER UPDATE OF tenant_id, serial, name, location, device_type, lfp_unit, group_id ON devices
BEGIN
    UPDATE tenants SET directory_version = directory_version + 1
    WHERE id IN (OLD.tenant_id, NEW.tenant_id);
END;

CREATE TRIGGER directory_group_renamed AFTER UPDATE OF name, tenant_id ON device_groups
BEGIN
    UPDATE tenants SET directory_version = directory_version + 1
    WHERE id IN (OLD.tenant_id, NEW.tenant_id);
END;

CREATE TRIGGER directory_group_removed AFTER DELETE ON device_groups
BEGIN
    UPDATE tenants SET directory_version = directory_version + 1 WHERE id = OLD.tenant_id;
END;
