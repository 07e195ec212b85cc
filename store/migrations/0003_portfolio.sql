-- The portfolio read model: one row per initiative, kept by `activities.portfolio.projection`
-- inside the transaction that appends the initiative's events, so the row never shows a change the
-- log does not hold, nor misses one it does.
--
-- `state` is the domain's fold of the stream (InitiativeState as JSON); the other columns repeat
-- what `baton list` filters and sorts on. The row is disposable: deleting it makes the next read
-- or append rebuild it from the events.
CREATE TABLE portfolio_initiatives (
    initiative_id text        PRIMARY KEY,
    name          text        NOT NULL,
    phase         text        NOT NULL,
    owner         text        NOT NULL,
    version       integer     NOT NULL CHECK (version >= 1),
    updated_at    timestamptz NOT NULL,
    -- How many regressions the stream recorded; the state only remembers the current one, and
    -- the sustained-gain rate needs to know whether a gain ever slipped.
    regressions   integer     NOT NULL DEFAULT 0,
    -- The earliest commitment still open while the initiative is; it is overdue once this passes.
    next_due_at   timestamptz,
    state         jsonb       NOT NULL
);

CREATE INDEX portfolio_initiatives_phase ON portfolio_initiatives (phase);
CREATE INDEX portfolio_initiatives_owner ON portfolio_initiatives (owner);
CREATE INDEX portfolio_initiatives_next_due ON portfolio_initiatives (next_due_at)
    WHERE next_due_at IS NOT NULL;
