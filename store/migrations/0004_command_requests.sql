-- Which request recorded which events: written in the append's own transaction, so a workflow
-- that finds the store ahead of it (a task that appended and was then lost) can tell which of
-- its requests are already answered, and auditors can see what caused each event.
CREATE TABLE command_requests (
    stream_id     text    NOT NULL,
    request_id    text    NOT NULL,
    first_version integer NOT NULL CHECK (first_version >= 1),
    last_version  integer NOT NULL CHECK (last_version >= first_version),
    PRIMARY KEY (stream_id, request_id)
);
