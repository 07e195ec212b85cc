-- A read-only role for auditors: it may read every table of this schema and nothing else, so an
-- audit can prove what the record holds without being able to change it.
--
-- Roles belong to the whole cluster while migrations run per schema, so the role is created by
-- whichever schema's migration gets there first, and each schema grants it what it holds. A
-- migrating user without CREATEROLE leaves the role out rather than fail the migration; the
-- README ("Auditors") gives the statements a DBA runs instead.
--
-- Auditors log in as users of their own that are members of the role:
--     CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE baton_auditor;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'baton_auditor') THEN
        BEGIN
            CREATE ROLE baton_auditor NOLOGIN;
        EXCEPTION
            -- Another schema's migration, in a transaction of its own, created it meanwhile.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role baton_auditor not created: % lacks CREATEROLE', current_user;
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'baton_auditor') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO baton_auditor', current_schema());
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO baton_auditor',
                       current_schema());
        -- Tables that later migrations create are readable too, without a grant of their own.
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO '
                       'baton_auditor', current_schema());
    END IF;
END
$$;
