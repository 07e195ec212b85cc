-- The record's integrity: recorded_at under the hash, appends that refuse a head row which
-- disagrees with the stream's last event, and a global-order fence no reader can turn against
-- writers.

-- How an event's hash was computed (`store.chain`): 1, the envelope; 2, the envelope and
-- recorded_at. Rows written before this migration keep 1 and verify as they always did.
ALTER TABLE events
    ADD COLUMN encoding_version smallint NOT NULL DEFAULT 1 CHECK (encoding_version IN (1, 2));

-- Streams an append refused to extend because their head row and their last event disagree:
-- someone rewrote one of them behind the store's back. The first report of each is kept.
CREATE TABLE stream_flags (
    stream_id  text        PRIMARY KEY,
    flagged_at timestamptz NOT NULL DEFAULT now(),
    reason     text        NOT NULL
);

DROP FUNCTION append_to_stream(text, integer, text, uuid[], text[], integer[], text[],
                               timestamptz[], text[], text[], text[]);
DROP FUNCTION read_events_after(bigint, integer);

-- The global-order fence, now without a lock of its own. Every append inserts into `events`,
-- which takes that table's ROW EXCLUSIVE lock before the insert draws a position and holds it
-- until after the commit is visible. The global reader takes SHARE on the table: granted only
-- once no append holds an uncommitted position, so a snapshot taken after the grant sees every
-- position below the sequence's high-water mark, or knows it was rolled back. Writers pay no
-- statement for this, and SHARE needs UPDATE, DELETE or TRUNCATE on `events`: the auditor role
-- (SELECT only) cannot take it, nor any lock that conflicts with an insert. The old fence was
-- an advisory lock, which any role that can connect may take and hold.
--
-- Appends the events given column-wise as versions p_expected_version + 1, + 2, ... of
-- p_stream_id, with hashes computed by the caller from head p_prev_hash in encoding 2 (the
-- canonical encoding is defined in Python, and covers p_recorded_at). Appended only while the
-- head row is at p_expected_version with head p_prev_hash AND the stream's last event is that
-- same version with that same hash. Otherwise nothing is written and the actual head comes back
-- with appended = false; when the head row and the last event disagree with each other, the
-- stream is flagged and `disagreement` says how.
CREATE FUNCTION append_to_stream(
    p_stream_id         text,
    p_expected_version  integer,
    p_prev_hash         text,
    p_recorded_at       timestamptz,
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
    OUT disagreement    text)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    genesis     constant text    := repeat('0', 64);
    event_count constant integer := cardinality(p_event_ids);
    new_version constant integer := p_expected_version + event_count;
    new_head    constant text    := p_hashes[event_count];
    last_version integer;
    last_hash    text;
BEGIN
    -- Moving the head first serialises appends per stream: the row lock it takes holds until
    -- commit. An append racing for the same version waits for it, then finds the stream moved
    -- (READ COMMITTED re-checks the condition on the new row) and matches nothing.
    IF p_expected_version = 0 THEN
        IF p_prev_hash <> genesis THEN
            RAISE EXCEPTION 'the first event of a stream follows the genesis hash';
        END IF;
        INSERT INTO streams (stream_id, version, head_hash)
        SELECT p_stream_id, new_version, new_head
         WHERE NOT EXISTS (SELECT FROM events AS e WHERE e.stream_id = p_stream_id)
        ON CONFLICT (stream_id) DO NOTHING;
    ELSE
        UPDATE streams AS s
           SET version = new_version, head_hash = new_head, updated_at = now()
         WHERE s.stream_id = p_stream_id
           AND s.version = p_expected_version
           AND s.head_hash = p_prev_hash
           AND (p_expected_version, p_prev_hash) = (
                SELECT e.version, e.hash FROM events AS e
                 WHERE e.stream_id = p_stream_id ORDER BY e.version DESC LIMIT 1);
    END IF;

    IF NOT FOUND THEN
        -- Head row and last event in one statement, hence one snapshot: read apart, an append
        -- committing in between would look like a disagreement.
        SELECT coalesce(h.version, 0), coalesce(h.head_hash, genesis),
               coalesce(l.version, 0), coalesce(l.hash, genesis)
          INTO stream_version, stream_head, last_version, last_hash
          FROM (SELECT) AS one
          LEFT JOIN streams AS h ON h.stream_id = p_stream_id
          LEFT JOIN LATERAL (SELECT e.version, e.hash FROM events AS e
                              WHERE e.stream_id = p_stream_id
                              ORDER BY e.version DESC LIMIT 1) AS l ON true;
        IF (stream_version, stream_head) IS DISTINCT FROM (last_version, last_hash) THEN
            disagreement := format(
                'its head row says version %s with hash %s, but its last event is version %s '
                'with hash %s', stream_version, stream_head, last_version, last_hash);
            INSERT INTO stream_flags (stream_id, reason) VALUES (p_stream_id, disagreement)
            ON CONFLICT (stream_id) DO NOTHING;
        END IF;
        appended := false;
        RETURN;
    END IF;

    IF event_count = 1 THEN  -- most appends: no unnest, no aggregate
        INSERT INTO events (event_id, stream_id, version, type, schema_version, actor,
                            occurred_at, recorded_at, payload, prev_hash, hash, provenance,
                            encoding_version)
        VALUES (p_event_ids[1], p_stream_id, new_version, p_types[1], p_schema_versions[1],
                p_actors[1], p_occurred_at[1], p_recorded_at, p_payloads[1]::jsonb, p_prev_hash,
                new_head, p_provenances[1]::jsonb, 2)
        RETURNING ARRAY[position] INTO positions;
    ELSE
        -- ORDER BY makes positions follow versions within the batch.
        WITH inserted AS (
            INSERT INTO events (event_id, stream_id, version, type, schema_version, actor,
                                occurred_at, recorded_at, payload, prev_hash, hash, provenance,
                                encoding_version)
            SELECT e.event_id, p_stream_id, p_expected_version + e.ordinal::integer, e.type,
                   e.schema_version, e.actor, e.occurred_at, p_recorded_at, e.payload::jsonb,
                   CASE WHEN e.ordinal = 1 THEN p_prev_hash
                        ELSE p_hashes[e.ordinal::integer - 1] END,
                   e.hash, e.provenance::jsonb, 2
              FROM unnest(p_event_ids, p_types, p_schema_versions, p_actors, p_occurred_at,
                          p_payloads, p_hashes, p_provenances)
                   WITH ORDINALITY
                   AS e(event_id, type, schema_version, actor, occurred_at, payload, hash,
                        provenance, ordinal)
             ORDER BY e.ordinal
            RETURNING events.position, events.version
        )
        SELECT array_agg(i.position ORDER BY i.version) INTO positions FROM inserted AS i;
    END IF;

    appended := true;
    stream_version := new_version;
    stream_head := new_head;
END
$$;

-- The events after `p_after` in position order, behind the fence (see above). The caller must run
-- in READ COMMITTED, where this VOLATILE function's query takes its snapshot after the lock is
-- granted; under REPEATABLE READ the snapshot would predate the lock and the fence would be void.
-- While the reader waits for SHARE, new appends queue behind it: the lock timeout bounds how long
-- a reader can hold writers up (behind a long append, or a vacuum of `events`), and the store
-- tries again a moment later.
CREATE FUNCTION read_events_after(p_after bigint, p_limit integer)
RETURNS SETOF events
LANGUAGE plpgsql
SET search_path FROM CURRENT
SET lock_timeout = '50ms'
AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'read_events_after needs READ COMMITTED, not %',
            current_setting('transaction_isolation')
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    LOCK TABLE events IN SHARE MODE;
    RETURN QUERY
        SELECT * FROM events WHERE position > p_after ORDER BY position LIMIT p_limit;
END
$$;
