-- The notices an append owes people, written in the append's own transaction (a transactional
-- outbox): recorded with the events that caused them or not at all, and delivered from here by
-- the workers (workers/notice_delivery.py), not by the initiative's workflow, so delivering
-- them adds nothing to a workflow's history and a slow webhook or mail server holds up no
-- command. A row lives until every delivery it owes is made or given up.
CREATE TABLE notices (
    notice_id     text        PRIMARY KEY,  -- the notification's id: a receiver dedupes on it
    initiative_id text        NOT NULL,
    notification  jsonb       NOT NULL,
    noticed_at    timestamptz NOT NULL,  -- the workflow's clock: "due in 3 days" counts from here
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    due_at        timestamptz NOT NULL DEFAULT now(),  -- next attempt
    leased_until  timestamptz,  -- a worker is delivering it until then
    attempts      integer     NOT NULL DEFAULT 0,
    delivered     text[]      NOT NULL DEFAULT '{}',  -- 'webhook', 'mail:<address>': made
    last_error    text
);
CREATE INDEX notices_due ON notices (due_at);
