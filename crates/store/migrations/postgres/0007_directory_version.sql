-- A tenant's directory version: bumped by every change to what the counters tables show of
-- its devices (which devices, their serial, name, location, class, LFP unit, group and the
-- group's name). A reader that keeps a large tenant's device list in memory reads this one
-- number to know whether its copy is still current. Triggers, so that no writer (any portal
-- instance, an admin command) can forget it. Readings and status updates change none of
-- these columns and leave it alone.
ALTER TABLE tenants ADD COLUMN directory_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_directory_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE tenants SET directory_version = directory_version + 1 WHERE id = NEW.tenant_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE tenants SET directory_version = directory_version + 1 WHERE id = OLD.tenant_id;
    ELSE
        UPDATE tenants SET directory_version = directory_version + 1
        WHERE id = OLD.tenant_id OR id = NEW.tenant_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER directory_device_changed
AFTER INSERT OR DELETE
   OR UPDATE OF tenant_id, serial, name, location, device_type, lfp_unit, group_id ON devices
FOR EACH ROW EXECUTE FUNCTION bump_directory_version();

CREATE TRIGGER directory_group_changed
AFTER DELETE OR UPDATE OF name, tenant_id ON device_groups
FOR EACH ROW EXECUTE FUNCTION bump_directory_version();
