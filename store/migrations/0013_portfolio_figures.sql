-- The portfolio's figures as rows the page aggregates with SQL, kept by the portfolio projection
-- in the transaction that appends the initiative's events (store/portfolio/figure_rows.py), and
-- from the pull projection for the ideas. What one initiative adds to the figures
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
    closed_at          timestamptz,
    -- The sums of its ideas (portfolio_ideas), kept by whichever stream changed them.
    ideas_pending      integer     NOT NULL DEFAULT 0,
    ideas_adopted      integer     NOT NULL DEFAULT 0,
    ideas_declined     integer     NOT NULL DEFAULT 0,
    ideas_delivered    integer     NOT NULL DEFAULT 0,
    ideas_duplicate    integer     NOT NULL DEFAULT 0,
    ideas_triaged      integer     NOT NULL DEFAULT 0,
    ideas_within       integer     NOT NULL DEFAULT 0,  -- triaged within the service level
    ideas_supports     integer     NOT NULL DEFAULT 0,
    oldest_pending_idea timestamptz,
    triage_on_time     integer     NOT NULL DEFAULT 0,  -- the owner's triage commitments kept
    triage_late        integer     NOT NULL DEFAULT 0,
    next_triage_due    timestamptz,  -- of the triage still owed, the earliest
    idea_months        jsonb       NOT NULL DEFAULT '{}'  -- ideas per month submitted
);

CREATE INDEX portfolio_figures_newest ON portfolio_figures (updated_at DESC, initiative_id);
CREATE INDEX portfolio_figures_sponsor ON portfolio_figures (sponsor);

-- Each person's delivered commitments in one initiative, counted (ideas' triage aside).
CREATE TABLE portfolio_kept (
    initiative_id text    NOT NULL,
    person        text    NOT NULL,
    on_time       integer NOT NULL,
    late          integer NOT NULL,
    -- The initiative's, repeated so a filtered sum needs no join: rewritten with the rest.
    phase         text        NOT NULL,
    pmo           text        NOT NULL,
    sponsor       text        NOT NULL,
    owner         text        NOT NULL,
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
    -- The initiative's, repeated so a filtered sum needs no join: rewritten with the rest.
    phase         text        NOT NULL,
    pmo           text        NOT NULL,
    sponsor       text        NOT NULL,
    owner         text        NOT NULL,
    updated_at    timestamptz,
    PRIMARY KEY (initiative_id, position)
);

CREATE INDEX portfolio_pending_due ON portfolio_pending (due_at);

-- The people on each initiative's named front line (none while it is open to anyone), and
-- whether they submitted an idea to it.
CREATE TABLE portfolio_front_line (
    initiative_id text    NOT NULL,
    person        text    NOT NULL,
    submitted     boolean NOT NULL DEFAULT false,
    -- The initiative's, repeated so a filtered sum needs no join: rewritten with the rest.
    phase         text        NOT NULL,
    pmo           text        NOT NULL,
    sponsor       text        NOT NULL,
    owner         text        NOT NULL,
    PRIMARY KEY (initiative_id, person)
);

-- Every idea as the figures see it: the pull stream's rows (`source` 'pull', `version` of that
-- stream) and those recorded with the initiative itself before ideas had a stream of their own
-- ('state'). The pull stream's version of an idea wins (`domain.pull_ideas.with_ideas`).
CREATE TABLE portfolio_ideas (
    initiative_id  text             NOT NULL,
    idea_id        text             NOT NULL,
    source         text             NOT NULL CHECK (source IN ('state', 'pull')),
    version        integer          NOT NULL,
    position       integer          NOT NULL,  -- in the order the domain lists them
    submitted_by   text             NOT NULL,
    submitted_at   timestamptz      NOT NULL,
    month          text             NOT NULL,  -- of its submission, as `domain.pull` counts
    status         text             NOT NULL,
    triage_due_at  timestamptz      NOT NULL,
    triaged_at     timestamptz,
    -- Its triage, as the owner's commitment: owed while the initiative is open, until made.
    owed           boolean          NOT NULL,
    on_time        boolean,  -- once made
    triage_seconds double precision,
    supporters     integer          NOT NULL,
    -- The initiative's filters, repeated so that the median time to triage needs no join;
    -- its own stream's appends keep them (NULL until its row is written).
    phase          text,
    pmo            text,
    sponsor        text,
    owner          text,
    PRIMARY KEY (initiative_id, idea_id)
);

CREATE INDEX portfolio_ideas_by_submitter ON portfolio_ideas (submitted_by, initiative_id);
-- The triage owed, and the earliest of an initiative's: what an idea's change reads back.
CREATE INDEX portfolio_ideas_owed ON portfolio_ideas (initiative_id, triage_due_at) WHERE owed;
CREATE INDEX portfolio_ideas_pending ON portfolio_ideas (initiative_id, submitted_at)
    WHERE status = 'pending';
CREATE INDEX portfolio_ideas_triage_seconds ON portfolio_ideas (triage_seconds)
    WHERE triage_seconds IS NOT NULL;
CREATE INDEX portfolio_ideas_sponsor ON portfolio_ideas (sponsor, triage_seconds)
    WHERE triage_seconds IS NOT NULL;

-- The ideas already on pull streams; the store adds those recorded with initiatives, and every
-- initiative's sums of its ideas, once this file is applied.
INSERT INTO portfolio_ideas
SELECT p.initiative_id, p.idea_id, 'pull', p.version, 1000000 + p.number, p.submitted_by,
       p.submitted_at, left(p.state->>'submitted_at', 7), p.status, p.triage_due_at, at.triaged_at,
       made.at IS NULL, made.at <= p.triage_due_at,
       extract(epoch FROM at.triaged_at - p.submitted_at)::float8,
       jsonb_array_length(p.state->'supporters')
FROM pull_ideas AS p,
     LATERAL (SELECT (p.state->>'triaged_at')::timestamptz AS triaged_at) AS at,
     LATERAL (SELECT CASE WHEN p.status <> 'pending' THEN at.triaged_at END AS at) AS made;
