"""Responses as the server reports them, and waiting for them to finish."""

from __future__ import annotations

import asyncio
from typing import Final

from pydantic import ValidationError

from ..protocol.ga import Usage
from .conversation import Conversation, ConversationItem
from .errors import RealtimeError, ResponseFailedError
from .wire import Envelope, ResponseData

__all__ = ["Response", "Responses"]

_FINAL: Final = frozenset({"completed", "cancelled", "failed", "incomplete"})


class Response:
    """One response: its status and output, filled in as server events arrive.

    ``await response.wait()`` returns once ``response.done`` arrived (or raises
    :class:`~openrealtime.client.ConnectionClosedError` if the connection dropped
    first). ``await response.final()`` also follows the tool loop: when this
    response called tools and the client answered with a new response, it waits for
    that one, and so on, and returns the last.
    """

    def __init__(self, response_id: str, conversation: Conversation, *, out_of_band: bool) -> None:
        self.id = response_id
        self.out_of_band = out_of_band
        self.status = "in_progress"
        self.reason: str | None = None
        self.error: RealtimeError | None = None
        self.usage: Usage | None = None
        self.metadata: dict[str, str] | None = None
        self.output_ids: list[str] = []
        self._conversation = conversation
        self._finished = asyncio.Event()
        self._settled = asyncio.Event()
        self._follow_up: Response | None = None
        self._failure: BaseException | None = None

    def __repr__(self) -> str:
        return f"Response(id={self.id!r}, status={self.status!r}, output={self.output_ids!r})"

    @property
    def done(self) -> bool:
        """Whether ``response.done`` arrived."""
        return self.status in _FINAL

    @property
    def output(self) -> list[ConversationItem]:
        """The response's output items, as the mirror holds them."""
        found = (self._conversation.get(item_id) for item_id in self.output_ids)
        return [item for item in found if item is not None]

    @property
    def message(self) -> ConversationItem | None:
        """The response's last assistant message, if it produced one."""
        messages = [item for item in self.output if item.type == "message"]
        return messages[-1] if messages else None

    @property
    def follow_up(self) -> Response | None:
        """The response the tool loop created after this one's calls, if any."""
        return self._follow_up

    async def wait(self, timeout: float | None = None) -> Response:
        """Wait for ``response.done``; return this response."""
        async with asyncio.timeout(timeout):
            await self._finished.wait()
        if self._failure is not None:
            raise self._failure
        return self

    async def final(self, timeout: float | None = None) -> Response:
        """Wait for this response and every tool-loop follow-up; return the last one."""
        async with asyncio.timeout(timeout):
            current: Response = self
            while True:
                await current.wait()
                await current._settled.wait()
                if current._failure is not None:
                    raise current._failure
                if current._follow_up is None:
                    return current
                current = current._follow_up

    def raise_for_output(self) -> ConversationItem:
        """The message this response produced, or :class:`ResponseFailedError` saying why not."""
        message = self.message
        if message is not None and self.status != "failed":
            return message
        if self.error is not None:
            raise ResponseFailedError(self.error.message, self, code=self.error.code)
        output = self.output
        if self.status != "failed" and output:
            return output[-1]
        reason = f" ({self.reason})" if self.reason else ""
        raise ResponseFailedError(
            f"response {self.id} ended {self.status}{reason} with no output", self
        )

    def settle(self, follow_up: Response | None) -> None:
        """Record what the tool loop did after this response (``None``: nothing more)."""
        self._follow_up = follow_up
        self._settled.set()

    def _update(self, data: ResponseData) -> None:
        if data.status is not None:
            self.status = data.status
        if data.metadata is not None:
            self.metadata = data.metadata
        for item in data.output or []:
            if item.id is not None and item.id not in self.output_ids:
                self.output_ids.append(item.id)
        details = data.status_details
        if details is not None:
            self.reason = details.reason
            if details.error is not None:
                self.error = RealtimeError.from_error(details.error)
        if data.usage is not None:
            try:
                self.usage = Usage.model_validate(data.usage)
            except ValidationError:
                self.usage = None

    def _finish(self, failure: BaseException | None = None) -> None:
        if failure is not None:
            self._failure = failure
            self._settled.set()
        self._finished.set()


class Responses:
    """Every response of the connection, by id, and which one is in progress."""

    def __init__(self, conversation: Conversation) -> None:
        self._conversation = conversation
        self._by_id: dict[str, Response] = {}
        self._latest: Response | None = None

    def get(self, response_id: str) -> Response | None:
        """The response with this id, if the server reported it."""
        return self._by_id.get(response_id)

    @property
    def latest(self) -> Response | None:
        """The last response created in the default conversation."""
        return self._latest

    @property
    def active(self) -> Response | None:
        """The default conversation's response in progress, if one is."""
        latest = self._latest
        return latest if latest is not None and not latest.done else None

    def apply(self, env: Envelope) -> Response | None:
        """Apply one server event; return the response it created or finished."""
        if env.type == "response.created" and env.response is not None:
            return self._created(env.response)
        if env.type == "response.done" and env.response is not None:
            response = self._lookup(env.response)
            if response is not None:
                response._update(env.response)
                if not response.done:
                    response.status = "completed"
                response._finish()
            return response
        if env.type in ("response.output_item.added", "response.output_item.done"):
            response = self._by_id.get(env.response_id or "")
            item_id = env.item.id if env.item is not None else None
            if response is not None and item_id is not None and item_id not in response.output_ids:
                response.output_ids.append(item_id)
        return None

    def fail_all(self, failure: BaseException) -> None:
        """Fail every response still in progress (the connection dropped)."""
        for response in self._by_id.values():
            if not response.done:
                response._finish(failure)
        self._by_id.clear()
        self._latest = None

    def _created(self, data: ResponseData) -> Response:
        out_of_band = "conversation_id" in data.model_fields_set and data.conversation_id is None
        response = Response(data.id or "", self._conversation, out_of_band=out_of_band)
        response._update(data)
        response.status = "in_progress"
        if data.id is not None:
            self._by_id[data.id] = response
        if not out_of_band:
            self._latest = response
        return response

    def _lookup(self, data: ResponseData) -> Response | None:
        if data.id is not None and data.id in self._by_id:
            return self._by_id[data.id]
        if data.id is None:
            return None
        # A done for a response whose created never came: record it anyway.
        return self._created(data)
