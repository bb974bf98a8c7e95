-- Every node keeps applications and event types in a read cache (PostgresReadCaches). A change, whichever node or
-- statement makes it, notifies every node in its own transaction, so the notification is sent exactly when the change
-- commits (and never when it rolls back). The payload is the table's name. An application's last_sequence, which
-- every publish moves, is not part of the cached row and notifies nothing.
CREATE FUNCTION herald_cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('herald_cache', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER applications_cache_changed
    AFTER DELETE OR UPDATE OF id, uid, name, throttle_rate, metadata, internal, created_at, updated_at ON applications
    FOR EACH STATEMENT EXECUTE FUNCTION herald_cache_changed();
CREATE TRIGGER applications_cache_truncated AFTER TRUNCATE ON applications FOR EACH STATEMENT EXECUTE FUNCTION herald_cache_changed();

CREATE TRIGGER event_types_cache_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_types
    FOR EACH STATEMENT EXECUTE FUNCTION herald_cache_changed();
