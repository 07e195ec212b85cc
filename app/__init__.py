"""Baton's use cases, shared by every door (the `baton` command, the HTTP API, the web pages).

Nothing here parses arguments, prints, or speaks HTTP: inputs and results are typed (pydantic),
and every refusal is a `domain.Rejected` whose `kind` (`app.errors.RejectionKind`: forbidden,
conflict, invalid, not_found, closed, unavailable) tells the door what to answer.

How a door calls a use case
    A composition root (`workers/`) builds a `Context` (`app.context`) from the settings and
    hands it to the door: `workers.composition.Place(settings).context()` (the CLI's is
    `workers.composition.context_from_env`). A server enters it in its lifespan, so its clients
    close with it (`async with context: yield`); the CLI builds one per command. A use case is
    an async function taking the context first::

        from app.act import ActRequest, act
        acted = await act(context, ActRequest(initiative_id=iid, action="complete",
                                              actor=who, arguments={"step": "sop"}))
        body = app.presenter.recorded_json(iid, acted.events, acted.phase, acted.version)

    The modules: `launch` (with `validate_only`), `act` (any action of the registry; returns
    the events it recorded, the version and the phase after them), `show` (one initiative;
    `list_initiatives` with a `ListFilter`), `portfolio` (the PMO's figures), `work` (a
    person's open work across initiatives), `audit` (replay, verify, report, workflow).
    `presenter` turns a state into the JSON every door shows (`state_json`) and events into
    sentences (`describe_event`). A use case raises only `Rejected`: what the servers below
    raise is translated by `@use_case`.
    A command that went out but was not confirmed raises `app.errors.Unconfirmed` (kind
    unavailable) with the request id to send it again with: the retry records at most once.

How a new action is added
    1. The domain command and event (domain/commands.py, domain/events.py, decide, evolve).
    2. One entry in `app/actions.py`: an `Arguments` model whose fields are named as the
       CLI's options (step, evidence, value, reason, ...), and a builder `(arguments, actor) ->
       command`; `fields` maps a command field to the argument it comes from where the names
       differ, so a refusal names what the person typed.
    3. The CLI declares how the arguments are typed (`cli/actions.py`, one `CliAction` with the
       same name); the HTTP API needs nothing more, it takes the arguments model as JSON.
"""
