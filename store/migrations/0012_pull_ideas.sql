-- The front line's ideas, one row per idea, folded from the initiatives' pull streams in the
-- append's own transaction (store/pull.py). A row holds the idea as it stands (`state`, the
-- domain's IdeaState) and the columns the engine looks ideas up by: the ones a command names,
-- a person's submissions of the last day, the next triage to fall due, a page of the newest.
CREATE TABLE pull_ideas (
    initiative_id text        NOT NULL,
    idea_id       text        NOT NULL,
    number        integer     NOT NULL,
    submitted_by  text        NOT NULL,
    submitted_at  timestamptz NOT NULL,
    status        text        NOT NULL,
    triage_due_at timestamptz NOT NULL,
    escalated     boolean     NOT NULL,
    version       integer     NOT NULL,  -- of the pull stream, when the row last changed
    state         jsonb       NOT NULL CHECK (jsonb_typeof(state) = 'object'),
    PRIMARY KEY (initiative_id, idea_id)
);

CREATE INDEX pull_ideas_by_number ON pull_ideas (initiative_id, number);
CREATE INDEX pull_ideas_to_triage ON pull_ideas (initiative_id, triage_due_at)
    WHERE status = 'pending' AND NOT escalated;
CREATE INDEX pull_ideas_by_submitter ON pull_ideas (submitted_by, submitted_at);
