-- How each event's actor was authenticated (a personal token, an OpenID Connect identity, or an
-- operator's `--as`), kept with the event and covered by its hash. NULL for events recorded before
-- it existed and for the engine's own: the canonical encoding then leaves the key out, so those
-- hashes stay as they were. Adding a nullable column rewrites no row and fires no UPDATE trigger.
ALTER TABLE events ADD COLUMN provenance jsonb
    CHECK (provenance IS NULL OR jsonb_typeof(provenance) = 'object');

-- append_to_stream as in 0002, with the events' provenance as one more column-wise argument.
DROP FUNCTION append_to_stream(text, integer, text, uuid[], text[], integer[], text[],
                               timestamptz[], text[], text[]);

CREATE FUNCTION append_to_stream(
    p_stream_id         text,
    p_expected_version  integer,
    p_prev_hash         text,
    p_event_ids         uuid[],
    p_types             text[],
    p_schema_versions   integer[],
    p_actors            text[],
    p_occurred_at       timestamptz[],
    p_payloads          text[],
    p_hashes            text[],
    p_provenances       text[],
    OUT appended        boolean,
    OUT stream_version  integer,
    OUT stream_head     text,
    OUT positions       bigint[],
    OUT recorded_at     timestamptz)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    event_count constant integer := cardinality(p_event_ids);
    new_version constant integer := p_expected_version + event_count;
    new_head    constant text    := p_hashes[event_count];
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1650553967, 'events'::regclass::oid::integer);

    IF p_expected_version = 0 THEN
        IF p_prev_hash <> repeat('0', 64) THEN
            RAISE EXCEPTION 'the first event of a stream follows the genesis hash';
        END IF;
        INSERT INTO streams (stream_id, version, head_hash)
        VALUES (p_stream_id, new_version, new_head)
        ON CONFLICT (stream_id) DO NOTHING;
    ELSE
        UPDATE streams AS s
           SET version = new_version, head_hash = new_head, updated_at = now()
         WHERE s.stream_id = p_stream_id
           AND s.version = p_expected_version
           AND s.head_hash = p_prev_hash;
    END IF;

    IF NOT FOUND THEN
        SELECT s.version, s.head_hash INTO stream_version, stream_head
          FROM streams AS s WHERE s.stream_id = p_stream_id;
        IF NOT FOUND THEN
            stream_version := 0;
            stream_head := repeat('0', 64);
        END IF;
        appended := false;
        RETURN;
    END IF;

    WITH inserted AS (
        INSERT INTO events (event_id, stream_id, version, type, schema_version, actor,
                            occurred_at, payload, prev_hash, hash, provenance)
        SELECT e.event_id, p_stream_id, p_expected_version + e.ordinal::integer, e.type,
               e.schema_version, e.actor, e.occurred_at, e.payload::jsonb,
               CASE WHEN e.ordinal = 1 THEN p_prev_hash ELSE p_hashes[e.ordinal::integer - 1] END,
               e.hash, e.provenance::jsonb
          FROM unnest(p_event_ids, p_types, p_schema_versions, p_actors, p_occurred_at,
                      p_payloads, p_hashes, p_provenances)
               WITH ORDINALITY
               AS e(event_id, type, schema_version, actor, occurred_at, payload, hash, provenance,
                    ordinal)
         ORDER BY e.ordinal
        RETURNING events.position, events.version
    )
    SELECT array_agg(i.position ORDER BY i.version) INTO positions FROM inserted AS i;

    appended := true;
    stream_version := new_version;
    stream_head := new_head;
    recorded_at := now();
END
$$;
