"""The dialect edge: wire text to internal GA events, and back.

GA clients are parsed with the GA models; beta clients with the beta models and
then translated. Outgoing, the internal stream is cut to each dialect's wire by
the protocol's translators. ``output_audio_buffer.clear`` exists only on WebRTC
and SIP, so a WebSocket refuses it as an unknown type and leaves it out of the
supported types it lists, as OpenAI does. Errors the core raises name GA fields;
the beta edge renames the ones a beta client sends under other names.
"""

from __future__ import annotations

import json
from typing import Final, Literal, Protocol

from ...protocol import ProtocolError, beta, ga, translate

__all__ = ["BetaEdge", "DialectEdge", "GaEdge", "edge_for"]

_WEBRTC_ONLY: Final = "output_audio_buffer.clear"

# GA parameter paths the core reports, as a beta client names them. Only paths a
# beta parse error can never carry belong here: those already name beta fields.
_BETA_PARAMS: Final = (("session.audio.input.transcription", "session.input_audio_transcription"),)


class DialectEdge(Protocol):
    """Decodes client frames to internal events and encodes internal events to frames."""

    dialect: Literal["ga", "beta"]

    def decode(self, text: str | bytes) -> ga.ClientEvent:
        """Parse one client frame; raises :class:`ProtocolError`."""
        ...

    def encode(self, event: ga.ServerEvent) -> list[str]:
        """The wire frames for one internal event (none, one or several)."""
        ...


def _parse_websocket(
    root: type[ga.ClientEvent] | type[beta.ClientEvent], text: str | bytes
) -> ga.ClientEvent | beta.ClientEvent:
    """Parse a client frame as a WebSocket server does: WebRTC-only events are unknown."""
    try:
        event = root.parse(text)
    except ProtocolError as error:
        if error.code == "invalid_value" and error.param == "type":
            wire_type = json.loads(text)["type"]
            every_type = ProtocolError.invalid_value(
                wire_type, root.event_types(), param="type", event_id=error.event_id
            )
            if error == every_type:
                raise _unknown_type(root, wire_type, error.event_id) from None
        raise
    if event.type == _WEBRTC_ONLY:
        raise _unknown_type(root, event.type, event.event_id)
    return event


def _unknown_type(
    root: type[ga.ClientEvent] | type[beta.ClientEvent], wire_type: str, event_id: str | None
) -> ProtocolError:
    supported = [t for t in root.event_types() if t != _WEBRTC_ONLY]
    return ProtocolError.invalid_value(wire_type, supported, param="type", event_id=event_id)


class GaEdge:
    """The GA wire."""

    dialect: Literal["ga", "beta"] = "ga"

    def __init__(self) -> None:
        self._filter = translate.GaWireFilter()

    def decode(self, text: str | bytes) -> ga.ClientEvent:
        """Parse one GA client frame."""
        event = _parse_websocket(ga.ClientEvent, text)
        assert isinstance(event, ga.ClientEvent)
        return event

    def encode(self, event: ga.ServerEvent) -> list[str]:
        """GA wire frames."""
        return [wire.to_text() for wire in self._filter.feed(event)]


class BetaEdge:
    """The beta wire (``OpenAI-Beta: realtime=v1``)."""

    dialect: Literal["ga", "beta"] = "beta"

    def __init__(self) -> None:
        self._translator = translate.ServerEventsToBeta()

    def decode(self, text: str | bytes) -> ga.ClientEvent:
        """Parse one beta client frame and translate it."""
        event = _parse_websocket(beta.ClientEvent, text)
        assert isinstance(event, beta.ClientEvent)
        return translate.client_event_to_ga(event)

    def encode(self, event: ga.ServerEvent) -> list[str]:
        """Beta wire frames."""
        if isinstance(event, ga.ErrorEvent) and event.error.param is not None:
            error = event.error.model_copy(update={"param": _beta_param(event.error.param)})
            event = event.model_copy(update={"error": error})
        return [wire.to_text() for wire in self._translator.feed(event)]


def _beta_param(param: str) -> str:
    for ga_path, beta_path in _BETA_PARAMS:
        if param == ga_path or param.startswith((ga_path + ".", ga_path + "[")):
            return beta_path + param[len(ga_path) :]
    return param


def edge_for(dialect: Literal["ga", "beta"]) -> DialectEdge:
    """A fresh edge (translators keep per-connection state)."""
    return BetaEdge() if dialect == "beta" else GaEdge()
