-- Each person's open work across initiatives (`domain.work.open_work`), kept by the portfolio
-- projection inside the transaction that appends the initiative's events: the rows for one
-- initiative are replaced whenever it records anything, so they never disagree with the log.
-- Rows exist only for initiatives that recorded something since this table was created.
CREATE TABLE work_items (
    initiative_id   text        NOT NULL,
    kind            text        NOT NULL,
    ref             text        NOT NULL,
    person          text        NOT NULL,
    initiative_name text        NOT NULL,
    title           text        NOT NULL,
    due_at          timestamptz,
    action          text        NOT NULL,
    PRIMARY KEY (initiative_id, kind, ref)
);

-- A person's list, soonest due first, without a sort.
CREATE INDEX work_items_by_person ON work_items (person, due_at NULLS LAST, initiative_id);
