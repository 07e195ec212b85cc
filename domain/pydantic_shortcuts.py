"""The two places Baton sets a pydantic model's instance attributes itself, for speed.

Both rely on how pydantic v2 lays out an instance: the field values in `__dict__`, the names of
the fields set in `__pydantic_fields_set__`, and `__pydantic_extra__` and `__pydantic_private__`
(None for models without extra fields or private attributes, as all of Baton's are).
tests/domain/test_pydantic_shortcuts.py compares each with the public call it stands for, and
fails when pydantic changes that layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel

_Model = TypeVar("_Model", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def update_in_place(model: BaseModel, changes: Mapping[str, object]) -> None:
    """What `model.model_copy(update=changes)` does to its copy, done to `model` itself, frozen
    or not: a fold that owns its state changes it in place instead of copying the whole state
    for every event (most of what replaying a long stream costs). Only for a model nothing
    else holds yet."""
    model.__dict__.update(changes)
    model.__pydantic_fields_set__.update(changes)


def construct_trusted(cls: type[_Model], fields: dict[str, object]) -> _Model:
    """`cls.model_construct(**fields)` given every field, in about a third of the time (it loops
    over the fields in Python): for values the database already vouches for. `fields` becomes
    the model's own; the caller must not keep it."""
    model = _new(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", set(fields))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
