"""Function tools: Python functions the model can call, and the loop that answers calls.

:meth:`Tool.from_function` takes a sync or async function. Its JSON schema comes from
the signature and type hints through pydantic's ``TypeAdapter``; its description is
the docstring. :meth:`Tool.run` never raises for the model's mistakes or the tool's:
arguments that are not a JSON object or do not validate, and exceptions the function
raises, become an error output the model can read (``{"error": "..."}``).

:class:`ToolLoop` answers calls automatically. A registered function runs as soon as
its call's item is done, concurrently with the other calls of the response (sync
functions in worker threads). When the response ends, the loop sends every output
(``conversation.item.create``) and then one ``response.create``, unless the response was
cancelled or failed, or the server has started another response meanwhile (voice
detection does), in which case no ``response.create`` is sent.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

import pydantic_core
from pydantic import TypeAdapter, ValidationError

from ..protocol.ga import FunctionTool
from .errors import ConnectionClosedError, RealtimeError
from .responses import Response, Responses
from .wire import Envelope, ItemData

__all__ = ["FunctionCall", "Tool", "ToolHost", "ToolLoop", "ToolRegistry"]

logger = logging.getLogger("openrealtime.client")

_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_REFUSED: Final = frozenset({"cancelled", "failed"})


def error_output(message: str) -> str:
    """The output a model reads when a call could not give a result."""
    return json.dumps({"error": message})


@dataclass(frozen=True)
class FunctionCall:
    """A call the model made: which function, with which JSON arguments."""

    call_id: str
    name: str
    arguments: str
    item_id: str | None = None
    response_id: str | None = None


@dataclass(frozen=True)
class Tool:
    """A Python function the model may call."""

    name: str
    description: str | None
    parameters: dict[str, Any]
    function: Callable[..., Any]
    _binder: TypeAdapter[Any]

    @classmethod
    def from_function(
        cls,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> Tool:
        """A tool from a function: name, docstring and a schema of its parameters."""
        tool_name = name or function.__name__
        if not _NAME.fullmatch(tool_name):
            raise ValueError(f"tool name {tool_name!r} must be 1 to 64 letters, digits, '_' or '-'")

        # Validates arguments against the signature without calling the function.
        @functools.wraps(function)
        def bind(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
            return args, kwargs

        # Only the tool's own hints: a builtin has none, and bind's are not the tool's.
        bind.__annotations__ = dict(getattr(function, "__annotations__", {}))
        binder: TypeAdapter[Any] = TypeAdapter(cast(Any, bind))
        doc = inspect.getdoc(function)
        return cls(
            name=tool_name,
            description=description if description is not None else doc,
            parameters=binder.json_schema(),
            function=function,
            _binder=binder,
        )

    def definition(self) -> FunctionTool:
        """The tool as the session's ``tools`` list declares it."""
        if self.description is None:
            return FunctionTool(name=self.name, parameters=self.parameters)
        return FunctionTool(
            name=self.name, description=self.description, parameters=self.parameters
        )

    async def run(self, arguments: str) -> str:
        """Call the function with JSON ``arguments``; the output the model reads."""
        try:
            decoded = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            return error_output(f"arguments for {self.name} are not JSON: {exc}")
        if not isinstance(decoded, dict):
            return error_output(f"arguments for {self.name} must be a JSON object")
        try:
            args, kwargs = self._binder.validate_python(pydantic_core.ArgsKwargs((), decoded))
        except ValidationError as exc:
            return error_output(f"invalid arguments for {self.name}: {_describe(exc)}")
        try:
            if inspect.iscoroutinefunction(self.function):
                result = await self.function(*args, **kwargs)
            else:
                result = await asyncio.to_thread(self.function, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
        except Exception as exc:
            logger.warning("tool %s raised %s: %s", self.name, type(exc).__name__, exc)
            return error_output(f"{self.name} failed: {type(exc).__name__}: {exc}")
        return _encode(result)


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False):
        where = ".".join(str(part) for part in detail["loc"])
        problems.append(f"{where}: {detail['msg']}" if where else detail["msg"])
    return "; ".join(problems)


def _encode(result: Any) -> str:
    if isinstance(result, str):
        return result
    try:
        return pydantic_core.to_json(result).decode()
    except pydantic_core.PydanticSerializationError:
        return json.dumps(str(result))


class ToolRegistry:
    """The tools a client offers, by name."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def get(self, name: str) -> Tool | None:
        """The tool with this name, if registered."""
        return self._tools.get(name)

    def add(self, tool: Tool) -> None:
        """Register a tool, replacing one of the same name."""
        self._tools[tool.name] = tool

    def remove(self, name: str) -> None:
        """Unregister a tool."""
        self._tools.pop(name, None)

    def definitions(self) -> list[FunctionTool]:
        """Every tool as the session declares it."""
        return [tool.definition() for tool in self._tools.values()]

    async def run(self, call: FunctionCall) -> str:
        """Run the call's tool; an error output when no tool has that name."""
        tool = self._tools.get(call.name)
        if tool is None:
            return error_output(f"no tool named {call.name}")
        return await tool.run(call.arguments)


class ToolHost(Protocol):
    """What the tool loop needs from the client."""

    @property
    def responses(self) -> Responses:
        """The connection's responses."""

    async def send_function_output(self, call_id: str, output: str) -> None:
        """Add a ``function_call_output`` item to the conversation."""

    async def create_response(self) -> Response:
        """Start a response in the default conversation."""


def _call_from(item: ItemData, response_id: str | None) -> FunctionCall | None:
    if item.type != "function_call" or item.call_id is None or item.name is None:
        return None
    if item.status not in (None, "completed"):
        return None  # a call cut off before its arguments were complete
    return FunctionCall(item.call_id, item.name, item.arguments or "{}", item.id, response_id)


class ToolLoop:
    """Runs registered tools for the model's calls (see the module docstring)."""

    def __init__(self, registry: ToolRegistry, host: ToolHost, *, auto: bool = True) -> None:
        self.registry = registry
        self.auto = auto
        self._host = host
        self._running: dict[str, dict[str, tuple[FunctionCall, asyncio.Task[str]]]] = {}
        self._finishing: set[asyncio.Task[None]] = set()

    def observe(self, env: Envelope, response: Response | None) -> None:
        """Follow one server event (after the client's state took it)."""
        if env.type == "response.output_item.done" and env.item is not None:
            call = _call_from(env.item, env.response_id)
            if call is not None:
                self._start(call)
        elif env.type == "response.done" and response is not None:
            output = env.response.output if env.response is not None else None
            for item in output or []:
                call = _call_from(item, response.id)
                if call is not None:
                    self._start(call)
            self._finish(response)

    def cancel_all(self) -> None:
        """Stop every running tool and pending follow-up (the connection dropped)."""
        for calls in self._running.values():
            for _call, task in calls.values():
                task.cancel()
        self._running.clear()
        for answering in self._finishing:
            answering.cancel()

    def _start(self, call: FunctionCall) -> None:
        if not self.auto or call.name not in self.registry or call.response_id is None:
            return
        response = self._host.responses.get(call.response_id)
        if response is not None and response.out_of_band:
            return
        calls = self._running.setdefault(call.response_id, {})
        if call.call_id not in calls:
            calls[call.call_id] = (call, asyncio.ensure_future(self.registry.run(call)))

    def _finish(self, response: Response) -> None:
        calls = self._running.pop(response.id, None)
        if not calls:
            response.settle(None)
            return
        answering = asyncio.ensure_future(self._answer(response, list(calls.values())))
        self._finishing.add(answering)
        answering.add_done_callback(self._finishing.discard)

    async def _answer(
        self, response: Response, calls: list[tuple[FunctionCall, asyncio.Task[str]]]
    ) -> None:
        follow_up: Response | None = None
        try:
            outputs = await asyncio.gather(*(task for _call, task in calls))
            for (call, _task), output in zip(calls, outputs, strict=True):
                await self._host.send_function_output(call.call_id, output)
            if response.status in _REFUSED:
                logger.info("response %s was %s: no new response", response.id, response.status)
            elif self._host.responses.latest is not response:
                logger.info("another response started after %s: no new response", response.id)
            else:
                follow_up = await self._host.create_response()
        except (RealtimeError, ConnectionClosedError, TimeoutError) as exc:
            logger.warning("answering the calls of %s failed: %s", response.id, exc)
        except Exception:
            logger.exception("answering the calls of %s failed", response.id)
        finally:
            response.settle(follow_up)
