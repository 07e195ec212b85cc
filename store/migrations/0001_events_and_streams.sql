-- The event log and the per-stream head rows.
--
-- Migrations run with search_path set to the store's schema, so names here are unqualified and
-- the same files serve every schema (tests isolate by schema).

-- One row per recorded event. Rows are never changed once written: `hash` chains each event to
-- the previous one of its stream, and the triggers below refuse any rewrite.
CREATE TABLE events (
    position       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    stream_id      text        NOT NULL,
    version        integer     NOT NULL CHECK (version >= 1),
    type           text        NOT NULL,
    schema_version integer     NOT NULL CHECK (schema_version >= 1),
    actor          text        NOT NULL,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    payload        jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    prev_hash      text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash           text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    UNIQUE (stream_id, version)
);

-- The head of each stream, written in the same transaction as its events. It is the second
-- witness of the chain: a hash chain alone cannot reveal a truncated tail or a chain rewritten
-- from some version onwards, a head kept elsewhere can.
CREATE TABLE streams (
    stream_id  text        PRIMARY KEY,
    version    integer     NOT NULL CHECK (version >= 0),
    head_hash  text        NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION refuse_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is refused: the event store is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;

-- Statement-level, so even an UPDATE or DELETE matching no row is refused. There is deliberately
-- no session setting that bypasses it; ENABLE ALWAYS also keeps it firing under
-- session_replication_role = replica. Only a table owner's ALTER TABLE ... DISABLE TRIGGER, which
-- is itself visible in the catalog, can get past it.
CREATE TRIGGER events_are_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_are_append_only;

-- A head may only move forward: deleting it, or moving it back, would silently agree with a
-- truncated chain.
CREATE TRIGGER streams_are_not_deleted
    BEFORE DELETE OR TRUNCATE ON streams
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
ALTER TABLE streams ENABLE ALWAYS TRIGGER streams_are_not_deleted;

CREATE TRIGGER stream_heads_only_move_forward
    BEFORE UPDATE ON streams
    FOR EACH ROW
    WHEN (NEW.version < OLD.version
          OR (NEW.version = OLD.version AND NEW.head_hash IS DISTINCT FROM OLD.head_hash))
    EXECUTE FUNCTION refuse_rewrite();
ALTER TABLE streams ENABLE ALWAYS TRIGGER stream_heads_only_move_forward;
