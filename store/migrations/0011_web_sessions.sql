-- Browser sessions, kept server-side: the cookie carries only a random session id (signed), and
-- this table holds who it stands for and whether it still does. Only a hash of each id is kept,
-- so a copy of the table signs no one in. A session ends (ended_at) at sign-out, when its
-- personal token is revoked or expires, or when the identity provider stops vouching for it; a
-- replayed cookie of an ended session is worth nothing.
CREATE TABLE web_sessions (
    session_hash     text        PRIMARY KEY CHECK (session_hash ~ '^[0-9a-f]{64}$'),
    person           text        NOT NULL,
    grants           text[]      NOT NULL DEFAULT '{}',
    auth_method      text        NOT NULL,  -- how the person was authenticated: token | oidc
    auth_issuer      text,
    auth_subject     text,
    token_id         text        REFERENCES personal_tokens (token_id),
    -- OIDC: the provider's access token, presented to its userinfo endpoint at each re-check.
    idp_access_token text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    checked_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    ended_why        text
);
CREATE INDEX web_sessions_of_token ON web_sessions (token_id) WHERE ended_at IS NULL;

-- What a browser had typed into a form when its session turned out to have ended: kept until the
-- person signs in again and the form's page is shown once more, filled in (taken once).
CREATE TABLE sign_in_drafts (
    draft_hash text        PRIMARY KEY CHECK (draft_hash ~ '^[0-9a-f]{64}$'),
    page       text        NOT NULL,  -- the GET address of the page that holds the form
    fields     jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Auditors read the record, not who is signed in where (0005 grants them every table).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'baton_auditor') THEN
        REVOKE ALL ON web_sessions, sign_in_drafts FROM baton_auditor;
    END IF;
END
$$;
