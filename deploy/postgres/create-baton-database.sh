#!/bin/sh
# Run by the postgres image once, when it initialises an empty data directory: Baton's own
# role and database, apart from Temporal's. No `set -e`: the image sources this file into its
# entrypoint, which stops on the first failing command already.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     --set=baton_password="$BATON_DB_PASSWORD" <<'SQL'
CREATE ROLE baton LOGIN PASSWORD :'baton_password';
CREATE DATABASE baton OWNER baton;
SQL
