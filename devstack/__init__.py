"""The local development stack: the PostgreSQL and Temporal servers that `baton up` starts on a
machine that has none, the private files it keeps under $BATON_HOME, the SMTP sink that catches
mail locally, and `make demo`. The composition roots in `workers/` put these to use; nothing here
knows the use cases or the doors."""
