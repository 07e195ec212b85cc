-- The portfolio's figures as rows the page aggregates with SQL, kept by the portfolio projection
-- in the transaction that appends the initiative's events (store/portfolio/figure_rows.py), and
-- by the pull projection for the ideas. What one initiative adds to the figures
-- (`domain.portfolio.entry_figures`) is spread over these tables so that a request filters,
-- sums and pages instead of folding ten thousand states.
--
-- The store fills them from `portfolio_initiatives` once this file is applied; like that table,
-- they are disposable: a row rebuilt from the events writes them again.

-- One row per initiative: the filters, the list's columns, and the figures that are one value
-- per initiative.
CREATE TABLE portfolio_figures (
    initiative_id      text        PRIMARY KEY,
    version            integer     NOT NULL,  -- of the initiative's stream, as folded here
    name               text        NOT NULL,
    phase              text        NOT NULL,
    pmo                text        NOT NULL,
    sponsor            text        NOT NULL,
    owner              text        NOT NULL,
    updated_at         timestamptz,
    is_open            boolean     NOT NULL,
    -- The earliest of its own pending commitments (ideas' triage aside, see portfolio_ideas).
    next_due_at        timestamptz,
    held               boolean     NOT NULL,
    open_regression    jsonb,  -- OpenRegression, while regressed
    stuck              jsonb,  -- StuckInitiative, while open and stuck
    benefit_currency   text,
    benefit_claimed    double precision,
    benefit_verified   double precision,
    benefit_lost       double precision,
    triage_within_s    double precision,  -- the spec's service level for ideas, in seconds
    launched_at        timestamptz,
    closed_at          timestamptz
);

CREATE INDEX portfolio_figures_newest ON portfolio_figures (updated_at DESC, initiative_id);
CREATE INDEX portfolio_figures_sponsor ON portfolio_figures (sponsor);

-- Each person's delivered commitments in one initiative, counted (ideas' triage aside).
CREATE TABLE portfolio_kept (
    initiative_id text    NOT NULL,
    person        text    NOT NULL,
    on_time       integer NOT NULL,
    late          integer NOT NULL,
    PRIMARY KEY (initiative_id, person)
);

-- The commitments still owed while the initiative is open (ideas' triage aside): overdue or
-- not is the clock's to say, at each request.
CREATE TABLE portfolio_pending (
    initiative_id text        NOT NULL,
    position      integer     NOT NULL,  -- in the order the domain lists them
    kind          text        NOT NULL,
    subject       text        NOT NULL,
    person        text        NOT NULL,
    due_at        timestamptz NOT NULL,
    PRIMARY KEY (initiative_id, position)
);

CREATE INDEX portfolio_pending_due ON portfolio_pending (due_at);

-- The people on each initiative's named front line (none while it is open to anyone).
CREATE TABLE portfolio_front_line (
    initiative_id text NOT NULL,
    person        text NOT NULL,
    PRIMARY KEY (initiative_id, person)
);

-- Ideas recorded with the initiative itself, from before they had a stream of their own.
CREATE TABLE portfolio_state_ideas (
    initiative_id text        NOT NULL,
    idea_id       text        NOT NULL,
    position      integer     NOT NULL,
    submitted_by  text        NOT NULL,
    submitted_at  timestamptz NOT NULL,
    month         text        NOT NULL,
    status        text        NOT NULL,
    triage_due_at timestamptz NOT NULL,
    triaged_at    timestamptz,
    supporters    integer     NOT NULL,
    PRIMARY KEY (initiative_id, idea_id)
);

-- The pull stream's ideas carry what the figures count beside their state.
ALTER TABLE pull_ideas ADD COLUMN triaged_at timestamptz,
    ADD COLUMN supporters integer NOT NULL DEFAULT 0,
    ADD COLUMN month text NOT NULL DEFAULT '';

-- The month as the idea's own timestamp reads it, as `domain.pull` counts it.
UPDATE pull_ideas SET triaged_at = (state->>'triaged_at')::timestamptz,
    supporters = jsonb_array_length(state->'supporters'),
    month = left(state->>'submitted_at', 7);

-- Every idea as the figures see it: the pull stream's version of an idea wins over the one its
-- initiative recorded (`domain.pull_ideas.with_ideas`), which keeps its place in the order.
CREATE VIEW portfolio_ideas AS
    SELECT p.initiative_id, p.idea_id, coalesce(s.position, 1000000 + p.number) AS position,
           p.submitted_by, p.submitted_at, p.month, p.status, p.triage_due_at, p.triaged_at,
           p.supporters
    FROM pull_ideas AS p LEFT JOIN portfolio_state_ideas AS s
        ON s.initiative_id = p.initiative_id AND s.idea_id = p.idea_id
    UNION ALL
    SELECT s.initiative_id, s.idea_id, s.position, s.submitted_by, s.submitted_at, s.month,
           s.status, s.triage_due_at, s.triaged_at, s.supporters
    FROM portfolio_state_ideas AS s
    WHERE NOT EXISTS (SELECT 1 FROM pull_ideas AS p
                      WHERE p.initiative_id = s.initiative_id AND p.idea_id = s.idea_id);
