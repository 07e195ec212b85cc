-- Personal tokens: how people (and their scripts) authenticate to the HTTP API when no identity
-- provider is configured. Only a hash of each token is kept; the token itself is shown once, when
-- issued. A token is refused once revoked or past its expiry.
CREATE TABLE personal_tokens (
    token_id   text        PRIMARY KEY,
    token_hash text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    person     text        NOT NULL,
    grants     text[]      NOT NULL DEFAULT '{}',
    issued_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz
);

-- Auditors read the record, not the credentials (0005 grants them every table by default).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'baton_auditor') THEN
        REVOKE ALL ON personal_tokens FROM baton_auditor;
    END IF;
END
$$;
