"""``RealtimeClient``: one Realtime session over WebSocket, with its state kept for you."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
from collections.abc import Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypeVar, overload

from ..protocol import ClientEventBase, ServerEventBase, beta, ga, translate
from ..protocol._base import InvalidServerEventBase
from .connection import Connection, FrameTap
from .conversation import AudioStream, Conversation, ConversationItem
from .dispatch import Dispatcher, EventStream, Handler, Matcher
from .endpoint import Auth, Dialect, Endpoint, resolve_endpoint
from .errors import ConnectionClosedError, RealtimeError
from .pending import PendingCalls
from .playback import PlaybackTracker
from .reconnect import ReconnectPolicy, SessionConfig, restore_item, should_reconnect
from .replies import expected_reply
from .requests import ClientRequests, SessionModel, as_fields
from .responses import Responses
from .tools import FunctionCall, Tool, ToolLoop, ToolRegistry
from .wire import Envelope, first_problem, session_formats

if TYPE_CHECKING:
    from .sync import SyncRealtimeClient

__all__ = ["RealtimeClient"]

logger = logging.getLogger("openrealtime.client")

E = TypeVar("E", bound=ServerEventBase)
F = TypeVar("F", bound=Callable[..., Any])

_SESSION_EVENTS: Final = frozenset({"session.created", "session.updated"})
_Submitted = tuple[asyncio.Future[None], asyncio.Future[Envelope] | None, ClientEventBase]


class RealtimeClient(ClientRequests):
    """A connection to an OpenAI Realtime server: OpenAI, Azure OpenAI or compatible.

    Use it as an async context manager, made by :meth:`connect` or the constructor::

        async with RealtimeClient.connect("ws://127.0.0.1:8000/v1", model="gpt-realtime") as rt:
            item = await rt.send_text("Hello")

    It keeps :attr:`conversation` (the server's conversation), :attr:`responses`,
    :attr:`session`, :attr:`playback` and :attr:`tools` up to date from server events.
    The options are described in ``docs/client.md``.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        model: str | None = None,
        intent: Literal["transcription"] | None = None,
        api_key: str | None = None,
        client_secret: str | None = None,
        auth: Auth = "header",
        dialect: Dialect = "ga",
        deployment: str | None = None,
        api_version: str | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        session: ga.RealtimeSession | ga.TranscriptionSession | Mapping[str, Any] | None = None,
        tap: FrameTap | None = None,
        keepalive: float | None = 20.0,
        keepalive_timeout: float | None = 20.0,
        open_timeout: float | None = 10.0,
        request_timeout: float | None = 30.0,
        max_frame_bytes: int | None = 32 * 2**20,
        reconnect: bool | ReconnectPolicy = False,
        auto_tools: bool = True,
    ) -> None:
        if dialect not in ("ga", "beta"):
            raise ValueError(f"dialect must be 'ga' or 'beta', not {dialect!r}")
        self.endpoint: Endpoint = resolve_endpoint(
            url,
            model=model,
            intent=intent,
            api_key=api_key,
            client_secret=client_secret,
            auth=auth,
            dialect=dialect,
            deployment=deployment,
            api_version=api_version,
            headers=headers,
            query=query,
        )
        self.dialect: Dialect = dialect
        self.conversation = Conversation()
        self.playback = PlaybackTracker(self.conversation)
        self.tools = ToolRegistry()
        self.session: SessionModel | None = None
        self.request_timeout = request_timeout
        self._responses = Responses(self.conversation)
        self._tool_loop = ToolLoop(self.tools, self, auto=auto_tools)
        self._pending = PendingCalls()
        self._dispatcher = Dispatcher()
        self._config = SessionConfig()
        self._initial_session = as_fields(session) if session is not None else None
        self._session_type = "transcription" if intent == "transcription" else "realtime"
        self._tap = tap
        self._keepalive = (keepalive, keepalive_timeout)
        self._open_timeout = open_timeout
        self._max_frame_bytes = max_frame_bytes
        self._policy = ReconnectPolicy() if reconnect is True else reconnect or None
        self._rng = random.Random()
        self._connection: Connection | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._reconnector: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._state: Literal["new", "opening", "open", "reconnecting", "closed"] = "new"
        self._failure: ConnectionClosedError | None = None
        self._session_created: asyncio.Future[None] | None = None
        self._last_error: RealtimeError | None = None
        self._committed: set[str] = set()
        self._warned: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._audio_streams: set[AudioStream] = set()

    # Opening and closing.

    @classmethod
    def connect(cls, url: str | None = None, **options: Any) -> _Opening:
        """Connect: ``async with RealtimeClient.connect(...) as rt``, or ``await`` it.

        The options are the constructor's.
        """
        return _Opening(cls(url, **options))

    @classmethod
    def connect_sync(cls, url: str | None = None, **options: Any) -> SyncRealtimeClient:
        """Connect from synchronous code (scripts, notebooks); the loop runs in a thread."""
        from .sync import SyncRealtimeClient

        return SyncRealtimeClient(lambda: cls(url, **options))

    async def open(self) -> None:
        """Connect, wait for ``session.created`` and apply the initial session settings.

        Raises :class:`ConnectionClosedError` when the connection cannot be made or the
        server closes it first; the server's ``error`` (a bad key...) is in ``.error``.
        """
        if self._state != "new":
            raise RuntimeError("a RealtimeClient opens once; make a new one to connect again")
        self._state = "opening"
        try:
            await self._establish()
            if self._initial_session is not None or len(self.tools):
                await self.update_session(self._initial_session or {})
        except BaseException:
            await self.close()
            raise
        self._state = "open"
        self._ready.set()

    async def close(self) -> None:
        """Close the connection: waiting calls fail, event streams end."""
        if self._state == "closed":
            return
        self._state = "closed"
        failure = self._failure or ConnectionClosedError("the client is closed", code=1000)
        self._failure = failure
        self._ready.set()
        if self._reconnector is not None:
            self._reconnector.cancel()
        self._tool_loop.cancel_all()
        self._pending.fail_all(failure)
        self._responses.fail_all(failure)
        if self._connection is not None:
            await self._connection.close()
        if self._receiver is not None:
            await asyncio.gather(self._receiver, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        self._end_streams(None)

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        """Whether the connection is open and ready for calls."""
        return self._state == "open"

    @property
    def responses(self) -> Responses:
        """The connection's responses by id; ``responses.active`` is the one in progress."""
        return self._responses

    # Receiving.

    @overload
    def on(self, matcher: Matcher, handler: Handler, /) -> Callable[[], None]: ...

    @overload
    def on(self, matcher: Matcher, /) -> Callable[[F], F]: ...

    def on(
        self, matcher: Matcher, handler: Handler | None = None, /
    ) -> Callable[[], None] | Callable[[F], F]:
        """Call a handler (sync or async) for every event of a type; ``"*"`` for all.

        ``matcher`` is a wire type of the connection's dialect or an event class. Pass the
        handler (``rt.on("error", log)`` returns the unsubscribe function) or decorate
        (``@rt.on("response.done")``). Handler exceptions are logged, never raised.
        """
        if handler is not None:
            return self._dispatcher.on(matcher, handler)

        def register(function: F) -> F:
            self._dispatcher.on(matcher, function)
            return function

        return register

    def events(self, matcher: Matcher = "*") -> EventStream:
        """Typed server events from now on: ``async for event in rt.events(): ...``."""
        return self._dispatcher.stream(matcher)

    @overload
    async def wait_for(
        self,
        matcher: type[E],
        predicate: Callable[[E], bool] | None = None,
        timeout: float | None = None,
    ) -> E: ...

    @overload
    async def wait_for(
        self,
        matcher: str,
        predicate: Callable[[ServerEventBase], bool] | None = None,
        timeout: float | None = None,
    ) -> ServerEventBase: ...

    async def wait_for(
        self,
        matcher: Matcher,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> ServerEventBase:
        """The next event of a type (wire type or class) for which ``predicate`` holds."""
        return await self._dispatcher.wait_for(matcher, predicate, timeout)

    def audio_chunks(self) -> AudioStream:
        """Output audio as it arrives, from now on: ``async for chunk in rt.audio_chunks()``."""
        stream = AudioStream(self.conversation, self._audio_streams.discard)
        self._audio_streams.add(stream)
        return stream

    # Tools.

    @overload
    def tool(self, function: F, /) -> F: ...

    @overload
    def tool(
        self, *, name: str | None = None, description: str | None = None
    ) -> Callable[[F], F]: ...

    def tool(
        self,
        function: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> Any:
        """Register a function the model may call: ``@rt.tool`` or ``@rt.tool(name=...)``.

        The schema comes from the signature, the description from the docstring. On an
        open connection the new tool list is queued at once, before anything sent next.
        """

        def register(target: F) -> F:
            self.tools.add(Tool.from_function(target, name=name, description=description))
            if self._state == "open" and self._connection is not None:
                event = self._session_event({})
                submitted = self._submit(event, self._connection, wait=True)
                self._background(self._settle(submitted, event, {}), "sending the tool list")
            elif self._state == "reconnecting":
                self._background(self.update_session(), "sending the tool list")
            return target

        return register(function) if function is not None else register

    async def run_tool(self, call: FunctionCall) -> str:
        """Run a registered tool for a call yourself (with ``auto_tools=False``)."""
        return await self.tools.run(call)

    # Sending.

    async def send(self, event: ClientEventBase | Mapping[str, Any], *, wait: bool = True) -> None:
        """Send an event built by hand, of either dialect (translated when needed).

        A mapping is read as an event of the connection's dialect. The event is
        validated first: a :class:`~openrealtime.protocol.ProtocolError` says what is
        wrong, and nothing is sent. With ``wait``, return once the server answered; an
        ``error`` answer raises :class:`RealtimeError`.
        """
        if isinstance(event, Mapping):
            event = self._client_root().parse(event)
        await self._call(event, wait=wait)

    async def send_raw(self, frame: str) -> None:
        """Send a text frame exactly as given: not validated, no reply awaited."""
        connection = await self._ready_connection()
        await connection.send(frame)

    # The connection.

    async def _establish(self) -> None:
        """Open a connection and wait for its ``session.created``."""
        connection = await Connection.open(
            self.endpoint,
            tap=self._tap,
            keepalive=self._keepalive[0],
            keepalive_timeout=self._keepalive[1],
            open_timeout=self._open_timeout,
            max_frame_bytes=self._max_frame_bytes,
        )
        self._connection = connection
        self._last_error = None
        created: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._session_created = created
        receiver = asyncio.ensure_future(self._receive(connection))
        self._receiver = receiver
        await asyncio.wait(
            {created, receiver}, timeout=self._open_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if receiver.done():
            raise connection.closed_error(self._last_error)
        if not created.done():
            logger.warning("no session.created within %s s; going on", self._open_timeout)

    async def _receive(self, connection: Connection) -> None:
        async for frame in connection.frames():
            self._on_frame(frame)
        if connection is self._connection and self._state != "closed":
            self._connection_lost(connection)

    def _on_frame(self, frame: str | bytes) -> None:
        try:
            raw = json.loads(frame)
        except ValueError:
            self._warn_once("<json>", "the server sent a frame that is not JSON; ignored")
            return
        if not isinstance(raw, dict):
            self._warn_once("<object>", "the server sent JSON that is not an object; ignored")
            return
        try:
            event = self._server_root().parse(raw)
            if isinstance(event, InvalidServerEventBase):
                self._warn_once(
                    f"invalid {event.type}",
                    f"the server's {event.type} events miss or mistype fields "
                    f"({first_problem(event)}); the client uses what they carry",
                )
            self._apply(Envelope.read(raw), event)
            self._dispatcher.dispatch(event)
        except Exception:
            logger.exception("the client failed to handle a %s event", raw.get("type"))

    def _apply(self, env: Envelope, event: ServerEventBase) -> None:
        if env.type in _SESSION_EVENTS:
            self._take_session(env, event)
        elif env.type == "input_audio_buffer.committed" and env.item_id is not None:
            self._committed.add(env.item_id)
        self.conversation.apply(env)
        response = self._responses.apply(env)
        taken = self._pending.resolve(env)
        self._tool_loop.observe(env, response)
        if env.type == "input_audio_buffer.speech_started":
            cut = self.playback.interrupt()
            if cut is not None:
                work = self.truncate_item(cut.item_id, cut.audio_end_ms, cut.content_index)
                self._background(work, "truncating the interrupted item")
        elif env.type == "conversation.item.truncated" and self.dialect == "ga" and env.item_id:
            self._background(self.retrieve_item(env.item_id), "retrieving a truncated item")
        elif env.type == "error" and env.error is not None:
            self._last_error = RealtimeError.from_error(env.error)
            if not taken:
                logger.warning("server error: %s", self._last_error)

    def _take_session(self, env: Envelope, event: ServerEventBase) -> None:
        created = self._session_created
        if env.type == "session.created" and created is not None and not created.done():
            created.set_result(None)
        raw = env.session or {}
        if raw.get("type") in ("realtime", "transcription"):
            self._session_type = raw["type"]
        formats = session_formats(raw)
        self.conversation.input_format = formats.get("input", self.conversation.input_format)
        self.conversation.output_format = formats.get("output", self.conversation.output_format)
        session = getattr(event, "session", None)
        if isinstance(
            session,
            ga.RealtimeSession | ga.TranscriptionSession | beta.Session | beta.TranscriptionSession,
        ):
            self.session = session

    def _connection_lost(self, connection: Connection) -> None:
        failure = connection.closed_error(self._last_error)
        self._ready.clear()
        self._tool_loop.cancel_all()
        self._pending.fail_all(failure)
        self._responses.fail_all(failure)
        if self._state == "reconnecting":
            return  # a new connection died while being restored: the next attempt follows
        if self._policy is not None and self._state == "open" and should_reconnect(failure.code):
            logger.warning("%s; reconnecting", failure)
            self._state = "reconnecting"
            self._reconnector = asyncio.ensure_future(self._reconnect(self._policy, failure))
        else:
            self._give_up(failure)

    def _give_up(self, failure: ConnectionClosedError) -> None:
        self._state = "closed"
        self._failure = failure
        self._ready.set()
        self._end_streams(failure)

    def _end_streams(self, failure: ConnectionClosedError | None) -> None:
        self._dispatcher.end(failure)
        for stream in list(self._audio_streams):
            stream.end()

    async def _reconnect(self, policy: ReconnectPolicy, failure: ConnectionClosedError) -> None:
        snapshot = self.conversation.items if policy.restore_conversation else []
        for attempt in range(policy.max_attempts):
            await asyncio.sleep(policy.delay(attempt, self._rng))
            try:
                await self._establish()
                await self._restore(snapshot)
            except (ConnectionClosedError, RealtimeError, TimeoutError) as exc:
                logger.warning("reconnect attempt %d failed: %s", attempt + 1, exc)
                if self._connection is not None:
                    await self._connection.close()
                continue
            self._state = "open"
            self._ready.set()
            logger.info("reconnected to %s", self.endpoint.url.split("?", 1)[0])
            return
        self._give_up(failure)

    async def _restore(self, snapshot: list[ConversationItem]) -> None:
        """Bring a new connection's session, and conversation if asked, back."""
        self.conversation.clear()
        self.playback.reset()
        self._committed.clear()
        settings = self._config.fields
        if settings or len(self.tools):
            await self._call(self._session_event(settings), gate=False)
        for item in snapshot:
            restored = restore_item(item)
            if restored is not None:
                await self._call(ga.ConversationItemCreateEvent(item=restored), gate=False)

    # Calls and replies.

    async def _ready_connection(self) -> Connection:
        if self._state in ("new", "reconnecting"):
            async with asyncio.timeout(self.request_timeout):
                await self._ready.wait()
        if self._state == "closed" or self._connection is None:
            raise self._failure or ConnectionClosedError("the client is not connected")
        return self._connection

    async def _call(
        self, event: ClientEventBase, *, wait: bool = True, gate: bool = True
    ) -> Envelope | None:
        """Validate and send an event; with ``wait``, return the server's reply to it."""
        if gate:
            connection = await self._ready_connection()
        elif self._connection is None:
            raise ConnectionClosedError("the client is not connected")
        else:
            connection = self._connection
        return await self._settle(self._submit(event, connection, wait=wait))

    def _submit(self, event: ClientEventBase, connection: Connection, *, wait: bool) -> _Submitted:
        """Queue an event now; the write and the reply are awaited by :meth:`_settle`."""
        prepared = self._prepare(event)
        expected = (
            expected_reply(prepared, self.conversation, self._responses, self._committed)
            if wait
            else None
        )
        reply = None
        if expected is not None:
            assert prepared.event_id is not None
            reply = self._pending.add(prepared.event_id, prepared.type, *expected)
        return connection.queue(prepared.to_text()), reply, prepared

    async def _settle(
        self,
        submitted: _Submitted,
        session_event: ga.SessionUpdateEvent | None = None,
        asked: Mapping[str, Any] | None = None,
    ) -> Envelope | None:
        written, reply, prepared = submitted
        try:
            await written
            if reply is None:
                return None
            async with asyncio.timeout(self.request_timeout):
                answer = await reply
        except TimeoutError:
            raise TimeoutError(
                f"no reply to {prepared.type} ({prepared.event_id}) within {self.request_timeout} s"
            ) from None
        finally:
            if reply is not None:
                self._pending.discard(reply)
        if session_event is not None:
            self._session_applied(session_event, asked or {})
        return answer

    def _prepare(self, event: ClientEventBase) -> ClientEventBase:
        """The event in the connection's dialect, with an ``event_id``, validated."""
        if self.dialect == "beta" and isinstance(event, ga.ClientEvent):
            event = translate.client_event_to_beta(event)
        elif self.dialect == "ga" and isinstance(event, beta.ClientEvent):
            event = translate.client_event_to_ga(event)
        if event.event_id is None:
            event = event.model_copy(update={"event_id": f"evt_{secrets.token_hex(8)}"})
        # Strictly, as the server will: a mistake is reported here and nothing is sent.
        return self._client_root().parse(event.to_text())

    # Session settings.

    def _session_event(self, fields: dict[str, Any]) -> ga.SessionUpdateEvent:
        session = {"type": self._session_type, **fields}
        if session["type"] == "realtime" and len(self.tools):
            mine = {tool.name for tool in self.tools.definitions()}
            chosen = session.get("tools", self._config.fields.get("tools")) or []
            kept = [tool for tool in chosen if _tool_name(tool) not in mine]
            session["tools"] = [*kept, *self.tools.definitions()]
        return ga.SessionUpdateEvent.model_validate({"type": "session.update", "session": session})

    def _session_applied(self, event: ga.SessionUpdateEvent, asked: Mapping[str, Any]) -> None:
        applied = event.session.to_dict()
        if "tools" not in asked:
            applied.pop("tools", None)  # only the registry's, which it keeps itself
        self._config.merge(applied)

    # Helpers.

    def _server_root(self) -> type[ServerEventBase]:
        return ga.ServerEvent if self.dialect == "ga" else beta.ServerEvent

    def _client_root(self) -> type[ClientEventBase]:
        return ga.ClientEvent if self.dialect == "ga" else beta.ClientEvent

    def _background(self, work: Awaitable[Any], what: str) -> None:
        async def run() -> None:
            try:
                await work
            except (RealtimeError, ConnectionClosedError, TimeoutError) as exc:
                logger.warning("%s failed: %s", what, exc)
            except Exception:
                logger.exception("%s failed", what)

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message)


def _tool_name(tool: Any) -> str | None:
    name = tool.get("name") if isinstance(tool, Mapping) else getattr(tool, "name", None)
    return name if isinstance(name, str) else None


class _Opening:
    """What ``RealtimeClient.connect(...)`` returns: an async context manager or an awaitable."""

    def __init__(self, client: RealtimeClient) -> None:
        self._client = client

    def __await__(self) -> Generator[Any, None, RealtimeClient]:
        return self._open().__await__()

    async def _open(self) -> RealtimeClient:
        await self._client.open()
        return self._client

    async def __aenter__(self) -> RealtimeClient:
        return await self._open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._client.close()
