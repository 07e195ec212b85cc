-- Appending and reading the global log, each in one round trip.
--
-- The global-order fence. `position` comes from a sequence, so a transaction that took position
-- 10 can commit after one that took 11; a reader that already moved past 11 would never see 10.
-- Every append therefore takes the fence lock in SHARED mode before it allocates a position, and
-- the global reader takes it in EXCLUSIVE mode before it reads. Shared holders do not block each
-- other, so appends stay concurrent and still share WAL flushes. The exclusive request is granted
-- only once every append that might hold an uncommitted position has ended, and PostgreSQL makes
-- a commit visible before it releases that transaction's locks; a snapshot taken after the grant
-- therefore sees every position below the sequence's high-water mark, or knows it was rolled back.
-- Key: (0x6261746f = 'bato' in ASCII, OID of this schema's events table), so that each schema
-- has its own fence and the pair cannot meet another application's single-bigint keys.

-- Appends the events given column-wise (p_event_ids, p_types, ...) as versions
-- p_expected_version + 1, + 2, ... of p_stream_id, provided the stream is at p_expected_version
-- with head p_prev_hash: the caller computed the hashes from that head, because the canonical
-- encoding is defined in Python. Otherwise nothing is written, and the stream's actual version and
-- head come back with appended = false.
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

    -- Moving the head first serialises appends per stream: the row lock it takes holds until
    -- commit. An append racing for the same version waits for it, then finds the stream moved
    -- (READ COMMITTED re-checks the condition on the new row) and matches nothing.
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

    -- ORDER BY makes positions follow versions within the batch.
    WITH inserted AS (
        INSERT INTO events (event_id, stream_id, version, type, schema_version, actor,
                            occurred_at, payload, prev_hash, hash)
        SELECT e.event_id, p_stream_id, p_expected_version + e.ordinal::integer, e.type,
               e.schema_version, e.actor, e.occurred_at, e.payload::jsonb,
               CASE WHEN e.ordinal = 1 THEN p_prev_hash ELSE p_hashes[e.ordinal::integer - 1] END,
               e.hash
          FROM unnest(p_event_ids, p_types, p_schema_versions, p_actors, p_occurred_at,
                      p_payloads, p_hashes)
               WITH ORDINALITY
               AS e(event_id, type, schema_version, actor, occurred_at, payload, hash, ordinal)
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

-- The events after `p_after` in position order, behind the fence (see above). The caller must run
-- in READ COMMITTED, where this VOLATILE function's query takes its snapshot after the lock is
-- granted; under REPEATABLE READ the snapshot would predate the lock and the fence would be void.
CREATE FUNCTION read_events_after(p_after bigint, p_limit integer)
RETURNS SETOF events
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'read_events_after needs READ COMMITTED, not %',
            current_setting('transaction_isolation')
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    PERFORM pg_advisory_xact_lock(1650553967, 'events'::regclass::oid::integer);
    RETURN QUERY
        SELECT * FROM events WHERE position > p_after ORDER BY position LIMIT p_limit;
END
$$;
