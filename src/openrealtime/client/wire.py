"""A lenient reading of server events, for the client's own state.

Servers other than OpenAI's leave out fields OpenAI always sends (a ``response.done``
without ``usage``, an item without ``status``). Their events fail the strict models
(``InvalidServerEvent``), yet they still say what happened. The client therefore keeps
its state (the conversation mirror, responses, pending calls, tools) from an
:class:`Envelope`: every field optional, a field of the wrong shape read as absent,
and both dialects' names mapped to GA's (``response.text.delta`` is
``response.output_text.delta``; assistant content ``text`` is ``output_text``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError, ValidatorFunctionWrapHandler
from pydantic.functional_validators import WrapValidator

from ..audio import AudioFormat, AudioFormatError, audio_format_from_wire
from ..protocol._base import InvalidServerEventBase

__all__ = [
    "Envelope",
    "ErrorData",
    "ItemData",
    "PartData",
    "ResponseData",
    "StatusDetailsData",
    "canonical_type",
    "first_problem",
    "session_formats",
]

logger = logging.getLogger("openrealtime.client")

_BETA_TO_GA: Final = {
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "transcription_session.created": "session.created",
    "transcription_session.updated": "session.updated",
}
# Assistant content and content-part types, beta and GA, to GA's item content types.
_CONTENT_TO_GA: Final = {"text": "output_text", "audio": "output_audio"}


def canonical_type(wire_type: str) -> str:
    """The GA name of a server event type of either dialect."""
    return _BETA_TO_GA.get(wire_type, wire_type)


def _absent_if_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


Soft = WrapValidator(_absent_if_invalid)
"""A field whose value does not fit reads as ``None`` instead of failing the event."""

Text = Annotated[str | None, Soft]
Number = Annotated[int | None, Soft]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PartData(_Lenient):
    """A content part, in an item or a ``response.content_part.*`` event."""

    type: Text = None
    text: Text = None
    transcript: Text = None
    audio: Text = None

    @property
    def kind(self) -> str | None:
        """The GA item content type (``output_text`` for a beta or part ``text``)."""
        return None if self.type is None else _CONTENT_TO_GA.get(self.type, self.type)


class ItemData(_Lenient):
    """A conversation item as a server reported it."""

    id: Text = None
    type: Text = None
    role: Text = None
    status: Text = None
    content: Annotated[list[PartData] | None, Soft] = None
    name: Text = None
    call_id: Text = None
    arguments: Text = None
    output: Text = None


class ErrorData(_Lenient):
    """An ``error`` object: its five keys, any of them possibly missing."""

    type: Text = None
    code: Text = None
    message: Text = None
    param: Text = None
    event_id: Text = None


class StatusDetailsData(_Lenient):
    """Why a response ended."""

    type: Text = None
    reason: Text = None
    error: Annotated[ErrorData | None, Soft] = None


class ResponseData(_Lenient):
    """The response resource of ``response.created`` and ``response.done``."""

    id: Text = None
    status: Text = None
    status_details: Annotated[StatusDetailsData | None, Soft] = None
    output: Annotated[list[ItemData] | None, Soft] = None
    conversation_id: Text = None
    metadata: Annotated[dict[str, str] | None, Soft] = None
    usage: Annotated[dict[str, Any] | None, Soft] = None


class Envelope(_Lenient):
    """Any server event, every field optional; ``type`` is the GA name."""

    type: str = ""
    event_id: Text = None
    previous_item_id: Text = None
    item_id: Text = None
    response_id: Text = None
    call_id: Text = None
    output_index: Number = None
    content_index: Number = None
    delta: Text = None
    text: Text = None
    transcript: Text = None
    arguments: Text = None
    name: Text = None
    audio_start_ms: Number = None
    audio_end_ms: Number = None
    item: Annotated[ItemData | None, Soft] = None
    part: Annotated[PartData | None, Soft] = None
    response: Annotated[ResponseData | None, Soft] = None
    error: Annotated[ErrorData | None, Soft] = None
    session: Annotated[dict[str, Any] | None, Soft] = None

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> Envelope:
        """The envelope of one decoded server event."""
        wire_type = raw.get("type")
        data = dict(raw)
        data["type"] = canonical_type(wire_type) if isinstance(wire_type, str) else ""
        return cls.model_validate(data)

    @property
    def places_item(self) -> bool:
        """Whether the event says where its item goes (``previous_item_id`` present)."""
        return "previous_item_id" in self.model_fields_set


def first_problem(event: InvalidServerEventBase) -> str:
    """Where the event first broke the model, without the type tag pydantic puts first."""
    if not event.errors:
        return "invalid"
    first = event.errors[0]
    where = [str(part) for part in first.get("loc", ())]
    if where and where[0] == event.type:
        where = where[1:]
    return f"{'.'.join(where) or 'event'}: {first.get('msg', 'invalid')}"


def session_formats(session: Mapping[str, Any]) -> dict[str, AudioFormat]:
    """The input and output formats a reported session names, in either dialect."""
    specs: dict[str, Any] = {
        "input": session.get("input_audio_format"),
        "output": session.get("output_audio_format"),
    }
    audio = session.get("audio")
    if isinstance(audio, Mapping):
        for direction in ("input", "output"):
            side = audio.get(direction)
            if isinstance(side, Mapping) and side.get("format") is not None:
                specs[direction] = side["format"]
    found: dict[str, AudioFormat] = {}
    for direction, spec in specs.items():
        if spec is None:
            continue
        try:
            found[direction] = audio_format_from_wire(spec)
        except AudioFormatError as exc:
            logger.warning("the session's %s audio format is unknown (%s)", direction, exc)
    return found
