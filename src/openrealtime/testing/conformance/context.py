"""What a scenario works with: its settings, connections, and checks that explain themselves."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ..invariants import Dialect
from ..wire import WireSession, WireTimeout, realtime_url
from .model import Capability, Fail, Scenario, Skip, show
from .words import Words, merge

__all__ = ["ANY", "DEFAULT", "Run", "Settings"]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


DEFAULT: Final = _Marker("DEFAULT")
"""Use the run's setting (the model, the API key)."""
ANY: Final = _Marker("ANY")
"""Accept any value (for codes the spec leaves unknown); the value is noted."""

WEATHER_TOOL: Final[dict[str, Any]] = {
    "type": "function",
    "name": "get_weather",
    "description": "Look up the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@dataclass(frozen=True)
class Settings:
    """One conformance run's settings (the command line's flags)."""

    url: str
    dialect: Dialect = "ga"
    model: str = "gpt-realtime"
    api_key: str | None = None
    timeout: float = 15.0
    """Seconds to wait for one awaited event."""
    quiet: float = 0.5
    """Seconds of silence that show the server sent nothing."""
    slow: bool = False
    disabled: frozenset[Capability] = frozenset()
    """Capabilities the user says the server lacks (``--no-audio``...)."""
    speech: bytes = field(default=b"", repr=False)
    """PCM16 24 kHz mono speech for audio scenarios (a single short utterance)."""
    transcription_model: str = "whisper-1"
    refused_dialect: str | None = None
    """Set when the server refused this dialect: every scenario but 12.5 skips."""


class Run:
    """One scenario's run: open connections, send, expect, note."""

    def __init__(self, settings: Settings, scenario: Scenario) -> None:
        self.settings = settings
        self.scenario = scenario
        self.words = Words(settings.dialect)
        self.dialect: Dialect = settings.dialect
        self.notes: list[str] = []
        self.wires: list[WireSession] = []

    @property
    def ga(self) -> bool:
        return self.dialect == "ga"

    @property
    def quiet(self) -> float:
        return self.settings.quiet

    def note(self, text: str) -> None:
        """Say what the server showed where the row accepts several behaviours."""
        self.notes.append(text)

    # -- connections ---------------------------------------------------------------------

    def url(self, *, model: object = DEFAULT, intent: str | None = None) -> str:
        chosen = self.settings.model if model is DEFAULT else model
        query: dict[str, str | None] = {"model": chosen if isinstance(chosen, str) else None}
        if intent is not None:
            query = {"model": None, "intent": intent}
        return realtime_url(self.settings.url, query)

    async def open(
        self,
        *,
        model: object = DEFAULT,
        intent: str | None = None,
        api_key: object = DEFAULT,
        dialect: Dialect | None = None,
    ) -> WireSession:
        """A connection, before any event is read."""
        key = self.settings.api_key if api_key is DEFAULT else api_key
        wire = await WireSession.open(
            self.url(model=model, intent=intent),
            dialect=dialect or self.dialect,
            api_key=key if isinstance(key, str) else None,
            timeout=self.settings.timeout,
        )
        self.wires.append(wire)
        return wire

    async def connect(self, *, intent: str | None = None) -> WireSession:
        """A session, its first event read: ``wire.events[0]`` is its ``session.created``."""
        wire = await self.open(intent=intent)
        first = await wire.recv()
        expected = self.words.transcription_created if intent else self.words.session_created
        if first.get("type") != expected:
            got = first.get("type")
            if got == "error":
                got = f"error {first['error'].get('code')}: {first['error'].get('message')}"
            raise Fail(f"the session did not open: {got}", expected=expected, got=got)
        return wire

    # -- requests ------------------------------------------------------------------------

    async def update(
        self, wire: WireSession, *parts: dict[str, Any], needs: Capability | None = None
    ) -> dict[str, Any]:
        """``session.update``; returns the updated session.

        An ``error`` fails the row, or skips it when the update asks for capability
        ``needs`` (the server refused the setting: an explicit signal).
        """
        kind = "transcription_session" if self._transcription(wire) and not self.ga else "session"
        body = self.words.session(*parts) if kind == "session" else merge(*parts)
        if kind == "session" and self._transcription(wire):
            body["type"] = "transcription"
        await wire.send({"type": f"{kind}.update", "session": body})
        events = await wire.until((f"{kind}.updated", "error"))
        last = events[-1]
        if last["type"] == "error":
            error = last["error"]
            refusal = f"{error.get('code')}: {error.get('message')}"
            if needs is not None:
                raise Skip(f"the server refused the setting ({refusal})")
            raise Fail(
                "session.update was refused",
                expected=f"{kind}.updated",
                got=f"error {refusal}",
            )
        session: dict[str, Any] = last["session"]
        return session

    async def create_item(
        self, wire: WireSession, item: dict[str, Any], *, previous: object = DEFAULT
    ) -> dict[str, Any]:
        """``conversation.item.create``; returns its last echo (GA ``done``, beta ``created``)."""
        event: dict[str, Any] = {"type": "conversation.item.create", "item": item}
        if previous is not DEFAULT:
            event["previous_item_id"] = previous
        await wire.send(event)
        events = await wire.until((self.words.item_echo_last, "error"))
        if events[-1]["type"] == "error":
            error = events[-1]["error"]
            raise Fail(
                "conversation.item.create was refused",
                expected=self.words.item_echo_last,
                got=f"error {error.get('code')}: {error.get('message')}",
            )
        return events[-1]

    async def respond(
        self, wire: WireSession, response: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """``response.create``; returns every event up to its ``response.done``."""
        event: dict[str, Any] = {"type": "response.create"}
        if response is not None:
            event["response"] = response
        await wire.send(event)
        return await self.until_done(wire)

    async def until_done(self, wire: WireSession) -> list[dict[str, Any]]:
        """Events up to the next ``response.done``; an ``error`` first fails the row."""
        events = await wire.until(("response.done", "error"))
        if events[-1]["type"] == "error":
            error = events[-1]["error"]
            raise Fail(
                "the response was refused",
                expected="response.done",
                got=f"error {error.get('code')}: {error.get('message')}",
            )
        return events

    async def expect_error(
        self,
        wire: WireSession,
        event: dict[str, Any] | str | bytes,
        *,
        code: object = ANY,
        param: object = DEFAULT,
        message: str | None = None,
        starts: str | None = None,
        contains: str | None = None,
        echo: bool = True,
    ) -> dict[str, Any]:
        """Send ``event`` and expect one ``error`` about it; returns the error object.

        ``code`` is checked unless :data:`ANY` (then it is noted); ``param`` unless
        :data:`DEFAULT`; ``message`` exactly, or by ``starts``/``contains``. ``echo``
        checks that ``error.event_id`` is the event's own.
        """
        if isinstance(event, dict):
            event_id: str | None = await wire.send(event)
        else:
            event_id = None
            await wire.send_raw(event)
        events = await wire.until(lambda e: e.get("type") == "error")
        for other in events[:-1]:
            if other["type"] not in _UNRELATED:
                raise Fail(
                    f"{other['type']} before the error",
                    expected="error",
                    got=str(other["type"]),
                )
        error: dict[str, Any] = events[-1]["error"]
        self.error_is(
            error, code=code, param=param, message=message, starts=starts, contains=contains
        )
        if echo and event_id is not None:
            self.equal(error.get("event_id"), event_id, "error.event_id")
        return error

    def error_is(
        self,
        error: dict[str, Any],
        *,
        code: object = ANY,
        param: object = DEFAULT,
        message: str | None = None,
        starts: str | None = None,
        contains: str | None = None,
    ) -> None:
        """Check an error object's fields (see :meth:`expect_error`)."""
        self.equal(error.get("type"), "invalid_request_error", "error.type")
        if code is ANY:
            self.note(f"[U] error code {error.get('code')!r}: {error.get('message')}")
        else:
            self.equal(error.get("code"), code, "error.code")
        if param is not DEFAULT:
            self.equal(error.get("param"), param, "error.param")
        text = str(error.get("message"))
        if message is not None:
            self.equal(text, message, "error.message")
        if starts is not None and not text.startswith(starts):
            raise Fail("error.message", expected=f"{starts}...", got=text)
        if contains is not None and contains not in text:
            raise Fail("error.message", expected=f"...{contains}...", got=text)

    async def expect_refused(
        self, wire: WireSession, *, code: object, close: int, reason: str | None = None
    ) -> dict[str, Any]:
        """The connection's first event is an ``error``, then the server closes with ``close``."""
        first = await wire.recv()
        if first.get("type") != "error":
            raise Fail("the connection was not refused", expected="error", got=first.get("type"))
        error: dict[str, Any] = first["error"]
        if code is not ANY:
            self.equal(error.get("code"), code, "error.code")
        self.equal(error.get("event_id"), None, "error.event_id")
        got_code, got_reason = await wire.wait_closed()
        self.equal(got_code, close, "close code")
        expected_reason = reason or ".".join(
            part for part in (error.get("type"), error.get("code")) if part
        )
        self.equal(got_reason, expected_reason, "close reason")
        return error

    # -- checks --------------------------------------------------------------------------

    @staticmethod
    def equal(got: object, expected: object, what: str) -> None:
        """Fail unless ``got == expected``."""
        if got != expected:
            raise Fail(what, expected=_repr(expected), got=_repr(got))

    @staticmethod
    def check(condition: object, what: str, *, expected: str, got: object) -> None:
        """Fail with ``what`` unless ``condition``."""
        if not condition:
            raise Fail(what, expected=expected, got=_repr(got))

    @staticmethod
    def order(types: Sequence[str], expected: Sequence[str], what: str) -> None:
        """Fail unless the event types are exactly ``expected``."""
        if list(types) != list(expected):
            raise Fail(what, expected=" ".join(expected), got=" ".join(types))

    async def quietly(self, wire: WireSession, what: str) -> None:
        """Fail if an event arrives within the run's quiet window.

        ``rate_limits.updated`` (GA sends it after ``response.done``) and beta's
        ``conversation.created`` (after ``session.created``) do not count.
        """
        deadline = time.monotonic() + self.quiet
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = await wire.recv(left)
            except WireTimeout:
                return
            if event.get("type") not in _BACKGROUND:
                raise Fail(
                    what, expected=f"no event within {self.quiet:g} s", got=event.get("type")
                )

    def _transcription(self, wire: WireSession) -> bool:
        first = wire.events[0] if wire.events else {}
        if first.get("type") == "transcription_session.created":
            return True
        return bool(first.get("session", {}).get("type") == "transcription")


_BACKGROUND = frozenset({"rate_limits.updated", "conversation.created"})
"""Events that follow others on their own, not answers to what the client just sent."""

_UNRELATED = _BACKGROUND | frozenset(
    {
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.completed",
        "conversation.item.input_audio_transcription.failed",
    }
)
"""Events that may come between a request and its error without being about it."""


def _repr(value: object) -> str:
    return repr(value) if isinstance(value, str) else show(value)
