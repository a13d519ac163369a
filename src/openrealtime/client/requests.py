"""The client's sending side: one typed method per client event, and the conveniences.

Every method builds the GA event (translated on a beta connection), validates it as
the server will (a :class:`~openrealtime.protocol.ProtocolError` before anything is
sent), sends it, and returns once the server answered: with the item, response or
session the answer reports, or :class:`~openrealtime.client.RealtimeError` when the
answer is an ``error``.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from ..protocol import ClientEventBase, WireModel, beta, ga
from .audio_input import AudioSource, wire_chunks
from .conversation import Conversation, ConversationItem
from .errors import RealtimeError
from .responses import Response, Responses
from .wire import Envelope

__all__ = ["ClientRequests", "SessionModel", "as_fields"]

SessionModel = (
    ga.RealtimeSession | ga.TranscriptionSession | beta.Session | beta.TranscriptionSession
)
"""A session as the server reported it, in the connection's dialect."""


def as_fields(value: WireModel | Mapping[str, Any]) -> dict[str, Any]:
    """A model or a mapping as the JSON object it stands for."""
    return value.to_dict() if isinstance(value, WireModel) else dict(value)


class ClientRequests(ABC):
    """The typed client events; :class:`~openrealtime.client.RealtimeClient` sends them."""

    conversation: Conversation
    session: SessionModel | None

    @property
    @abstractmethod
    def responses(self) -> Responses:
        """The connection's responses."""

    @abstractmethod
    async def _call(self, event: ClientEventBase, *, wait: bool = True) -> Envelope | None:
        """Validate and send an event; with ``wait``, return the server's reply."""

    @abstractmethod
    def _session_event(self, fields: dict[str, Any]) -> ga.SessionUpdateEvent:
        """The ``session.update`` for these settings, with the registered tools."""

    @abstractmethod
    def _session_applied(self, event: ga.SessionUpdateEvent, asked: Mapping[str, Any]) -> None:
        """Remember settings the server accepted."""

    # One method per client event.

    async def update_session(
        self,
        session: ga.RealtimeSession | ga.TranscriptionSession | Mapping[str, Any] | None = None,
        /,
        **fields: Any,
    ) -> SessionModel | None:
        """``session.update`` with GA-shaped settings; returns the session the server reports.

        The registered tools are part of every update. On a beta connection the update
        is translated (to ``transcription_session.update`` for a transcription session).
        """
        asked = {**(as_fields(session) if session is not None else {}), **fields}
        event = self._session_event(asked)
        await self._call(event)
        self._session_applied(event, asked)
        return self.session

    async def update_transcription_session(
        self, session: ga.TranscriptionSession | Mapping[str, Any] | None = None, /, **fields: Any
    ) -> SessionModel | None:
        """Update a transcription session (beta: ``transcription_session.update``)."""
        asked = {**(as_fields(session) if session is not None else {}), **fields}
        return await self.update_session({**asked, "type": "transcription"})

    async def append_audio(self, audio: bytes) -> None:
        """``input_audio_buffer.append`` of audio already in the session's input format."""
        await self._call(ga.InputAudioBufferAppendEvent.from_pcm16(audio), wait=False)

    async def commit_audio(self) -> str:
        """``input_audio_buffer.commit``; returns the id of the user item it becomes."""
        reply = await self._call(ga.InputAudioBufferCommitEvent())
        return reply.item_id or "" if reply is not None else ""

    async def clear_audio(self) -> None:
        """``input_audio_buffer.clear``."""
        await self._call(ga.InputAudioBufferClearEvent())

    async def create_item(
        self, item: WireModel | Mapping[str, Any], *, previous_item_id: str | None = None
    ) -> ConversationItem:
        """``conversation.item.create`` of a GA item; returns the item the server added.

        ``previous_item_id`` places it (``"root"``: first); without it the item goes last.
        """
        fields: dict[str, Any] = {"type": "conversation.item.create", "item": as_fields(item)}
        if previous_item_id is not None:
            fields["previous_item_id"] = previous_item_id
        return self._item_of(
            await self._call(ga.ConversationItemCreateEvent.model_validate(fields))
        )

    async def retrieve_item(self, item_id: str) -> ConversationItem:
        """``conversation.item.retrieve``: the mirror takes the server's full item."""
        return self._item_of(await self._call(ga.ConversationItemRetrieveEvent(item_id=item_id)))

    async def truncate_item(self, item_id: str, audio_end_ms: int, content_index: int = 0) -> None:
        """``conversation.item.truncate``: cut an assistant item's audio at ``audio_end_ms``."""
        await self._call(
            ga.ConversationItemTruncateEvent(
                item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
            )
        )

    async def delete_item(self, item_id: str) -> None:
        """``conversation.item.delete``."""
        await self._call(ga.ConversationItemDeleteEvent(item_id=item_id))

    async def create_response(
        self, response: ga.ResponseCreateParams | Mapping[str, Any] | None = None, /, **params: Any
    ) -> Response:
        """``response.create`` with GA-shaped overrides; returns once the server created it.

        ``await response.wait()`` then waits for it to finish.
        """
        overrides = {**(as_fields(response) if response is not None else {}), **params}
        fields: dict[str, Any] = {"type": "response.create"}
        if overrides:
            fields["response"] = overrides
        reply = await self._call(ga.ResponseCreateEvent.model_validate(fields))
        created = reply.response if reply is not None else None
        found = self.responses.get(created.id or "") if created is not None else None
        if found is None:
            raise RealtimeError("the server's response.created named no response")
        return found

    async def cancel_response(self, response_id: str | None = None) -> Response | None:
        """``response.cancel``; returns the response once it ended.

        An ``error`` (``response_cancel_not_active``) raises :class:`RealtimeError`.
        """
        event = (
            ga.ResponseCancelEvent()
            if response_id is None
            else ga.ResponseCancelEvent(response_id=response_id)
        )
        reply = await self._call(event)
        ended = reply.response if reply is not None else None
        return self.responses.get(ended.id or "") if ended is not None else None

    async def clear_output_audio(self) -> None:
        """``output_audio_buffer.clear`` (WebRTC and SIP; a WebSocket server refuses it)."""
        await self._call(ga.OutputAudioBufferClearEvent())

    # Conveniences.

    async def send_text(self, text: str, /, **params: Any) -> ConversationItem:
        """Add a user message and create a response; return the finished assistant item.

        Calls of registered tools are answered and the follow-up responses awaited; the
        item is the last response's message. ``params`` override the response
        (``output_modalities=["text"]``, ...). Raises
        :class:`~openrealtime.client.ResponseFailedError` when it failed or ended empty.
        """
        await self.create_item(ga.UserMessageItem.from_text(text))
        response = await self.create_response(**params)
        final = await response.final()
        return final.raise_for_output()

    async def send_function_output(self, call_id: str, output: Any) -> None:
        """Answer a function call (``function_call_output``); non-strings are JSON-encoded."""
        await self.create_item(ga.FunctionCallOutputItem.for_call(call_id, output))

    async def send_audio(
        self,
        source: AudioSource,
        *,
        sample_rate: int | None = None,
        chunk_ms: float = 40.0,
        realtime: bool = True,
        commit: bool = False,
    ) -> float:
        """Append audio in ``chunk_ms`` pieces; return the milliseconds sent.

        ``source`` is PCM16 bytes, a numpy array, a WAV file path, or an (async)
        iterable of bytes or arrays. PCM at ``sample_rate`` (default: the session's
        input rate) is resampled and encoded to the session's input format. Each append
        waits until the socket has taken it; with ``realtime`` the appends also keep
        pace with the audio's duration. ``commit`` commits the buffer at the end.
        """
        fmt = self.conversation.input_format
        loop = asyncio.get_running_loop()
        started = loop.time()
        sent_ms = 0.0
        async for chunk in wire_chunks(source, fmt, sample_rate=sample_rate, chunk_ms=chunk_ms):
            await self.append_audio(chunk)
            sent_ms += fmt.duration_ms(len(chunk))
            ahead = started + sent_ms / 1000.0 - loop.time()
            if realtime and ahead > 0:
                await asyncio.sleep(ahead)
        if commit:
            await self.commit_audio()
        return sent_ms

    async def refresh(self, item_id: str) -> ConversationItem:
        """Fetch an item from the server (``conversation.item.retrieve``) into the mirror."""
        return await self.retrieve_item(item_id)

    def _item_of(self, reply: Envelope | None) -> ConversationItem:
        item_id = reply.item.id if reply is not None and reply.item is not None else None
        found = self.conversation.get(item_id or "")
        if found is None:
            raise RealtimeError(f"the server's reply named no known item ({item_id})")
        return found
