"""The composition roots: the settings read from the environment, and the processes built from
them (the worker, the web process, the one-shot setup commands, the `baton` command with the
commands that start servers). What a laptop runs in place of a deployment's servers is
`devstack/`'s, put to use here."""
