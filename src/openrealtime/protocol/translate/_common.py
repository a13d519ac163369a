"""Helpers every translator uses: the set fields of a model, and translation errors.

A translator copies only what the source has *set* (``model_fields_set``), so an
absent field stays absent and an explicit ``null`` stays an explicit ``null``.
Sub-objects whose shape both dialects share are reused, not copied.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

from .._base import WireModel
from .._errors import ProtocolError, format_choices

__all__ = [
    "Fields",
    "TranslationError",
    "at",
    "child",
    "index",
    "jsonable",
    "rebuild",
    "set_fields",
    "unsupported_parameter",
    "unsupported_value",
]

M = TypeVar("M", bound=WireModel)


class TranslationError(ProtocolError):
    """A value the other dialect cannot express.

    It reads like OpenAI's own errors: ``code`` is ``invalid_value`` or
    ``unknown_parameter`` and ``param`` the dotted path of the offending field
    (``session.tools[1].type``). A server edge sends it as one ``error`` event;
    the client event translators fill in ``event_id``.
    """


class Fields:
    """The fields of a target object; a conversion that raises is skipped when lenient."""

    def __init__(self, *, lenient: bool) -> None:
        self.values: dict[str, Any] = {}
        self.lenient = lenient

    def put(self, key: str, convert: Callable[..., Any], *args: Any) -> None:
        """Set ``key`` to ``convert(*args)``; a :class:`TranslationError` is dropped if lenient."""
        try:
            self.values[key] = convert(*args)
        except TranslationError:
            if not self.lenient:
                raise


def at(prefix: str, name: str) -> str:
    """The dotted path of field ``name`` under ``prefix``."""
    return f"{prefix}.{name}" if prefix else name


def index(prefix: str, position: int) -> str:
    """The path of entry ``position`` of the list at ``prefix``."""
    return f"{prefix}[{position}]"


def unsupported_parameter(param: str) -> TranslationError:
    """``unknown_parameter``: a GA field that beta does not have."""
    return TranslationError(
        "unknown_parameter",
        f"Unknown parameter: '{param}'. The beta Realtime API has no equivalent.",
        param=param,
    )


def unsupported_value(
    value: object, choices: Iterable[str], *, param: str, hint: str = ""
) -> TranslationError:
    """``invalid_value``: a value outside what the target dialect supports."""
    message = f"Invalid value: '{value}'. Supported values are: {format_choices(choices)}."
    return TranslationError("invalid_value", f"{message} {hint}".strip(), param=param)


def set_fields(model: WireModel, *, drop: Collection[str] = ()) -> dict[str, Any]:
    """The fields set on ``model`` and its extras, in wire order, minus ``drop``."""
    shown = model.model_fields_set
    fields = {
        name: getattr(model, name)
        for name in type(model).model_fields
        if name in shown and name not in drop
    }
    fields.update((k, v) for k, v in (model.model_extra or {}).items() if k not in drop)
    return fields


def child(model: WireModel | None, name: str) -> Any:
    """Field ``name`` of ``model`` when set there, else ``None``."""
    if model is None or name not in model.model_fields_set:
        return None
    return getattr(model, name)


def rebuild(cls: type[M], source: WireModel, *, drop: Collection[str] = (), **changes: Any) -> M:
    """``cls`` holding the set fields of ``source`` (``type`` excepted) and ``changes``.

    ``type`` comes from ``cls``'s own literal, so a rename is a rebuild.
    """
    fields = set_fields(source, drop={"type", *drop})
    fields.update(changes)
    return cls(**fields)


def jsonable(value: Any) -> Any:
    """``value`` with every wire model replaced by its JSON object."""
    if isinstance(value, WireModel):
        return value.to_dict()
    if isinstance(value, list):
        return [jsonable(entry) for entry in value]
    if isinstance(value, dict):
        return {key: jsonable(entry) for key, entry in value.items()}
    return value
