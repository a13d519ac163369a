"""The wire model base classes: serialization rules, registries and parsing.

Rules every wire object follows:

- ``to_text()`` is compact JSON. Keys come in declaration order, which is the
  spec's order with ``type`` and ``event_id`` first.
- A field the caller set is emitted, an explicit ``None`` included; an unset
  optional field is omitted. A single-valued ``Literal`` discriminator (``type``,
  ``role``, ...) always counts as set.
- Unknown fields are kept and emitted again after the known ones.

Client events parse strictly (a :class:`ProtocolError` on the first problem);
server events parse leniently (never raising, except on text that is not JSON).
"""

from __future__ import annotations

import builtins
import json
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, ClassVar, Literal, Self, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ._errors import ProtocolError, json_type_name
from ._fields import STRICT_CONTEXT, Base64, max_length

__all__ = [
    "ClientEventBase",
    "InvalidServerEventBase",
    "ServerEventBase",
    "UnknownServerEventBase",
    "WireModel",
]

JSONInput = str | bytes | bytearray | Mapping[str, Any]
_REPR_LIMIT = 32


def _single_literal(annotation: Any) -> str | None:
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        if len(values) == 1 and isinstance(values[0], str):
            return values[0]
    return None


def _carries_base64(annotation: Any) -> bool:
    """Whether an annotation is, or is a union with, a ``B64`` string."""
    if get_origin(annotation) is Annotated:
        return any(isinstance(meta, Base64) for meta in get_args(annotation)[1:])
    return any(_carries_base64(arg) for arg in get_args(annotation))


class _Abbreviated(str):
    """A long base64 string, shown shortened by ``repr``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"'{self[:16]}…' ({len(self)} chars)"


class WireModel(BaseModel):
    """Base of every object on the wire, in either dialect and direction."""

    model_config = ConfigDict(extra="allow", populate_by_name=False)

    _always_set: ClassVar[frozenset[str]] = frozenset()
    _base64_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        cls._always_set = frozenset(
            name
            for name, info in fields.items()
            if _single_literal(info.annotation) is not None
            and _single_literal(info.annotation) == info.default
        )
        cls._base64_fields = frozenset(
            name
            for name, info in fields.items()
            if any(isinstance(meta, Base64) for meta in info.metadata)
            or _carries_base64(info.annotation)
        )

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        if self._always_set:
            self.__pydantic_fields_set__.update(self._always_set)

    # pydantic calls a custom __init__ from validation too, dropping the context
    # and the runtime ``extra`` setting. This one only marks discriminators as set
    # for Python construction, so validation may bypass it as it does BaseModel's.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def to_text(self) -> str:
        """Compact JSON, as it goes on the wire."""
        return self.model_dump_json(exclude_unset=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object as a ``dict``, with the same keys as :meth:`to_text`."""
        return self.model_dump(mode="json", exclude_unset=True)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # Show what is on the wire: set fields and extras, with audio shortened.
        shown = self.model_fields_set
        for name, value in super().__repr_args__():
            if name in self.__class__.model_fields and name not in shown:
                continue
            if name in self._base64_fields and isinstance(value, str) and len(value) > _REPR_LIMIT:
                yield name, _Abbreviated(value)
            else:
                yield name, value


def _as_json(data: JSONInput) -> str | bytes:
    if isinstance(data, str | bytes):
        return data
    if isinstance(data, bytearray):
        return bytes(data)
    try:
        return json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ProtocolError("invalid_event", f"Invalid event: {exc}.") from None


class _EventBase(WireModel):
    """Shared machinery of the event registries.

    A dialect's root class (``ga.ClientEvent``, ``beta.ServerEvent``, ...) sets
    ``__dialect__``; every subclass whose ``type`` is a single ``Literal`` is
    registered on that root, in definition order.
    """

    model_config = ConfigDict(frozen=True)

    __dialect__: ClassVar[str | None] = None
    _registry: ClassVar[dict[str, type[_EventBase]]] = {}
    _adapter_cache: ClassVar[TypeAdapter[Any] | None] = None
    _fast_validate: ClassVar[Callable[[str | bytes], Any] | None] = None
    _root_class: ClassVar[type[_EventBase]]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._root_class = next((k for k in cls.__mro__ if k.__dict__.get("__dialect__")), cls)
        if cls.__dict__.get("__dialect__"):
            cls._registry = {}
            cls._adapter_cache = None
            return
        wire_type = _single_literal(cls.model_fields["type"].annotation)
        if wire_type is not None and cls.__dialect__ is not None:
            cls._registry[wire_type] = cls
            root = cls._root()
            root._adapter_cache = None
            root._fast_validate = None

    @classmethod
    def _root(cls) -> type[_EventBase]:
        return cls._root_class

    @classmethod
    def _adapter(cls) -> TypeAdapter[Any]:
        root = cls._root()
        if root._adapter_cache is None:
            members = tuple(root._registry.values())
            union: Any = typing.Union.__getitem__(members) if len(members) > 1 else members[0]
            root._adapter_cache = TypeAdapter(Annotated[union, Field(discriminator="type")])
        return root._adapter_cache

    @classmethod
    def event_types(cls) -> tuple[str, ...]:
        """The wire types of this dialect's events, in the spec's order."""
        return tuple(cls._root()._registry)

    @classmethod
    def event_class(cls, wire_type: str) -> type[Self] | None:
        """The class registered for ``wire_type`` in this dialect, if any."""
        return typing.cast("type[Self] | None", cls._root()._registry.get(wire_type))


class ClientEventBase(_EventBase):
    """Base of the events a client sends. Parsing is strict."""

    type: str
    event_id: Annotated[str | None, max_length(512)] = None

    @classmethod
    def parse(cls, data: JSONInput) -> Self:
        """Parse one client event, strictly, as OpenAI's server does.

        On a dialect's base class this dispatches on ``type``; on an event class it
        accepts only that event. Raises :class:`ProtocolError` with OpenAI's code,
        message, param and the event's ``event_id`` for the first problem found.
        """
        text = _as_json(data)
        root = cls._root()
        validator: Any = root._adapter() if cls is root else TypeAdapter(cls)
        try:
            event = validator.validate_json(
                text, strict=True, extra="forbid", context=STRICT_CONTEXT
            )
        except ValidationError as exc:
            supported = cls.event_types() if cls is root else (cls._wire_type(),)
            raise ProtocolError.from_validation(exc, text, supported) from None
        return typing.cast(Self, event)

    @classmethod
    def _wire_type(cls) -> str:
        return _single_literal(cls.model_fields["type"].annotation) or ""


class ServerEventBase(_EventBase):
    """Base of the events a server sends. Parsing is lenient."""

    _unknown_class: ClassVar[builtins.type[UnknownServerEventBase] | None] = None
    _invalid_class: ClassVar[builtins.type[InvalidServerEventBase] | None] = None

    type: str
    event_id: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__dialect__ is None:
            return
        root = typing.cast(builtins.type[ServerEventBase], cls._root())
        if issubclass(cls, UnknownServerEventBase):
            root._unknown_class = cls
        elif issubclass(cls, InvalidServerEventBase):
            root._invalid_class = cls

    @classmethod
    def parse(cls, data: JSONInput) -> ServerEventBase:
        """Parse one server event, leniently, for forward compatibility.

        Unknown fields are kept. An unknown ``type`` gives the dialect's
        ``UnknownServerEvent``; a known type with bad fields gives its
        ``InvalidServerEvent`` carrying the raw object and the errors. Only text
        that is not JSON raises (:class:`ProtocolError`, code ``invalid_json``).
        """
        root = typing.cast(builtins.type[ServerEventBase], cls._root_class)
        try:
            # The hot path (a frame off the socket) skips the TypeAdapter wrapper.
            if data.__class__ is bytes or data.__class__ is str:
                validate = root._fast_validate or root._prepare_fast_validate()
                return typing.cast(ServerEventBase, validate(data))
            adapter = root._adapter()
            if isinstance(data, Mapping):
                return typing.cast(ServerEventBase, adapter.validate_python(data))
            return typing.cast(ServerEventBase, adapter.validate_json(data))
        except ValidationError as exc:
            raw = data if isinstance(data, Mapping) else _loads_or_raise(data)
            return root._fallback(raw, exc)

    @classmethod
    def _prepare_fast_validate(cls) -> Callable[[str | bytes], Any]:
        validate = cls._adapter().validator.validate_json
        cls._fast_validate = validate
        return validate

    @classmethod
    def _fallback(cls, raw: Any, exc: ValidationError) -> ServerEventBase:
        unknown, invalid = cls._unknown_class, cls._invalid_class
        assert unknown is not None, "a dialect declares its UnknownServerEvent"
        assert invalid is not None, "a dialect declares its InvalidServerEvent"
        if isinstance(raw, Mapping):
            wire_type, event_id = raw.get("type"), raw.get("event_id")
            unknown_type = wire_type is None or (
                isinstance(wire_type, str) and wire_type not in cls._registry
            )
            if unknown_type and (event_id is None or isinstance(event_id, str)):
                return unknown.model_validate(raw)
        errors = [dict(error) for error in exc.errors(include_url=False, include_input=False)]
        return invalid.from_raw(raw, errors)


def _loads_or_raise(data: str | bytes | bytearray) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(
            "invalid_json", f"Invalid event: failed to parse JSON value. {exc}"
        ) from None


class UnknownServerEventBase(ServerEventBase):
    """A server event whose ``type`` this dialect does not know.

    Every field is kept as an extra, and :meth:`to_text` emits it again, so a
    relay or a replay loses nothing.
    """

    # A newer server may send an event with any type, or none at all.
    type: str | None = None  # type: ignore[assignment]
    event_id: str | None = None  # type: ignore[assignment]


class InvalidServerEventBase(ServerEventBase):
    """A known server event type whose fields failed validation.

    ``raw`` is the object as received and ``errors`` pydantic's error list;
    :meth:`to_text` emits ``raw`` unchanged.
    """

    # Whatever the server sent: these mirror ``raw`` and may be absent.
    type: str | None = None  # type: ignore[assignment]
    event_id: str | None = None  # type: ignore[assignment]
    raw: Any
    errors: list[dict[str, Any]]

    @classmethod
    def from_raw(cls, raw: Any, errors: list[dict[str, Any]]) -> Self:
        """Wrap a raw object and the errors found in it."""
        wire_type = raw.get("type") if isinstance(raw, Mapping) else None
        event_id = raw.get("event_id") if isinstance(raw, Mapping) else None
        return cls(
            type=wire_type if isinstance(wire_type, str) else None,
            event_id=event_id if isinstance(event_id, str) else None,
            raw=raw,
            errors=errors,
        )

    def to_text(self) -> str:
        return json.dumps(self.raw, separators=(",", ":"), ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw) if isinstance(self.raw, Mapping) else {"raw": self.raw}

    def describe(self) -> str:
        """A one-line summary of why the event is invalid."""
        first = self.errors[0] if self.errors else {"loc": (), "msg": "invalid"}
        where = ".".join(str(part) for part in first.get("loc", ())) or "event"
        return f"{self.type or json_type_name(self.raw)}: {where}: {first.get('msg')}"
