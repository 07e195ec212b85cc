-- The role the running processes (workers, web replicas, the operator's CLI) need: read and
-- write the rows of this schema, and nothing else. It owns nothing and may create nothing, so a
-- process that is broken into cannot change the schema, drop the triggers that keep `events`
-- append-only, or read another schema's record. Migrations run as the schema's owner
-- (`python -m workers.migrate`, the deployment's one-shot setup); the processes then check that
-- the schema is up to date without any DDL.
--
-- As with baton_auditor, the role belongs to the cluster and is created by whichever schema's
-- migration gets there first; a migrating user without CREATEROLE leaves it out, and the
-- README ("Database roles") gives the statements a DBA runs instead. Processes log in as a user
-- of their own in it:
--     CREATE ROLE baton_app LOGIN PASSWORD '...' IN ROLE baton_runtime;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'baton_runtime') THEN
        BEGIN
            CREATE ROLE baton_runtime NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role baton_runtime not created: % lacks CREATEROLE', current_user;
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'baton_runtime') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO baton_runtime', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I '
                       'TO baton_runtime', current_schema());
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO baton_runtime',
                       current_schema());
        -- The record itself: appended and read. UPDATE stays because the global reader's fence
        -- (read_events_after) takes SHARE on the table, which PostgreSQL grants only to roles
        -- holding UPDATE, DELETE or TRUNCATE; the append-only triggers refuse any actual change.
        REVOKE DELETE ON events FROM baton_runtime;
        -- Which migrations ran is the owner's to write; the processes only check it.
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM baton_runtime;
        -- Tables and sequences that later migrations create are usable without a grant of
        -- their own.
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, '
                       'DELETE ON TABLES TO baton_runtime', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES '
                       'TO baton_runtime', current_schema());
    END IF;
END
$$;
