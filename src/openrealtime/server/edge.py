"""The dialect edge: wire text to internal GA events, and back.

GA clients are parsed with the GA models; beta clients with the beta models and
then translated. Outgoing, the internal stream is cut to each dialect's wire by
the protocol's translators. ``output_audio_buffer.clear`` exists only on WebRTC
and SIP, so a WebSocket refuses it as an unknown type, as OpenAI does.
"""

from __future__ import annotations

from typing import Literal, Protocol

from ..protocol import ProtocolError, beta, ga, translate

__all__ = ["BetaEdge", "DialectEdge", "GaEdge", "edge_for"]

_WEBRTC_ONLY = "output_audio_buffer.clear"


class DialectEdge(Protocol):
    """Decodes client frames to internal events and encodes internal events to frames."""

    dialect: Literal["ga", "beta"]

    def decode(self, text: str | bytes) -> ga.ClientEvent:
        """Parse one client frame; raises :class:`ProtocolError`."""
        ...

    def encode(self, event: ga.ServerEvent) -> list[str]:
        """The wire frames for one internal event (none, one or several)."""
        ...


def _refuse_webrtc_only(wire_type: str, supported: tuple[str, ...], event_id: str | None) -> None:
    if wire_type == _WEBRTC_ONLY:
        choices = [t for t in supported if t != _WEBRTC_ONLY]
        raise ProtocolError.invalid_value(wire_type, choices, param="type", event_id=event_id)


class GaEdge:
    """The GA wire."""

    dialect: Literal["ga", "beta"] = "ga"

    def __init__(self) -> None:
        self._filter = translate.GaWireFilter()

    def decode(self, text: str | bytes) -> ga.ClientEvent:
        """Parse one GA client frame."""
        event = ga.ClientEvent.parse(text)
        _refuse_webrtc_only(event.type, ga.ClientEvent.event_types(), event.event_id)
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
        event = beta.ClientEvent.parse(text)
        _refuse_webrtc_only(event.type, beta.ClientEvent.event_types(), event.event_id)
        return translate.client_event_to_ga(event)

    def encode(self, event: ga.ServerEvent) -> list[str]:
        """Beta wire frames."""
        return [wire.to_text() for wire in self._translator.feed(event)]


def edge_for(dialect: Literal["ga", "beta"]) -> DialectEdge:
    """A fresh edge (translators keep per-connection state)."""
    return BetaEdge() if dialect == "beta" else GaEdge()
