"""GA conversation items and their content.

Items are discriminated on ``type``; messages again on ``role``. The same models
carry a client's ``conversation.item.create`` and the server's item events, so
fields the server always fills (``id``, ``status``) are optional here and set
explicitly by whoever builds a server event.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal, Self, cast

from pydantic import Field

from .._base import WireModel
from .._fields import B64, max_length

__all__ = [
    "AssistantContent",
    "AssistantMessageItem",
    "AudioPart",
    "ContentPart",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "InputAudioContent",
    "InputImageContent",
    "InputItem",
    "InputTextContent",
    "Item",
    "ItemReference",
    "ItemStatus",
    "McpApprovalRequestItem",
    "McpApprovalResponseItem",
    "McpCallError",
    "McpCallItem",
    "McpHttpError",
    "McpListToolsItem",
    "McpListedTool",
    "McpProtocolError",
    "McpToolExecutionError",
    "MessageBase",
    "MessageItem",
    "OutputAudioContent",
    "OutputTextContent",
    "SystemMessageItem",
    "TextPart",
    "UserContent",
    "UserMessageFactories",
    "UserMessageItem",
    "encode_output",
]

ItemId = Annotated[str | None, max_length(32)]
ItemStatus = Literal["completed", "incomplete", "in_progress"]
ItemObject = Literal["realtime.item"]


class InputTextContent(WireModel):
    """Text from the user or the system."""

    type: Literal["input_text"] = "input_text"
    text: str


class InputAudioContent(WireModel):
    """User audio (base64, session input format) and its transcript."""

    type: Literal["input_audio"] = "input_audio"
    audio: B64 | None = None
    transcript: str | None = None


class InputImageContent(WireModel):
    """A user image, as a data URI."""

    type: Literal["input_image"] = "input_image"
    image_url: str
    detail: Literal["auto", "low", "high"] | None = None


class OutputTextContent(WireModel):
    """Assistant text."""

    type: Literal["output_text"] = "output_text"
    text: str


class OutputAudioContent(WireModel):
    """Assistant audio (omitted except in ``conversation.item.retrieved``) and transcript."""

    type: Literal["output_audio"] = "output_audio"
    audio: B64 | None = None
    transcript: str | None = None


UserContent = Annotated[
    InputTextContent | InputAudioContent | InputImageContent, Field(discriminator="type")
]
AssistantContent = Annotated[OutputTextContent | OutputAudioContent, Field(discriminator="type")]


class MessageBase(WireModel):
    """The fields every message item has, whatever its role."""

    id: ItemId = None
    object: ItemObject | None = None
    type: Literal["message"] = "message"
    status: ItemStatus | None = None


class SystemMessageItem(MessageBase):
    """A system message: instructions in the conversation."""

    role: Literal["system"] = "system"
    content: list[InputTextContent]


class UserMessageFactories:
    """Constructors shared by both dialects' user messages."""

    @classmethod
    def from_text(cls, text: str, *, id: str | None = None) -> Self:
        """A user message holding one ``input_text`` part."""
        fields: dict[str, Any] = {"content": [InputTextContent(text=text)]}
        if id is not None:
            fields["id"] = id
        return cast(Any, cls)(**fields)  # type: ignore[no-any-return]

    @classmethod
    def from_pcm16(cls, pcm: bytes, *, transcript: str | None = None) -> Self:
        """A user message holding one ``input_audio`` part of raw PCM16 bytes."""
        audio = base64.b64encode(pcm).decode("ascii")
        part = (
            InputAudioContent(audio=audio)
            if transcript is None
            else InputAudioContent(audio=audio, transcript=transcript)
        )
        return cast(Any, cls)(content=[part])  # type: ignore[no-any-return]


class UserMessageItem(UserMessageFactories, MessageBase):
    """A user message: text, audio or images."""

    role: Literal["user"] = "user"
    content: list[UserContent]


class AssistantMessageItem(MessageBase):
    """An assistant message: text, or audio with its transcript."""

    role: Literal["assistant"] = "assistant"
    content: list[AssistantContent]


MessageItem = Annotated[
    SystemMessageItem | UserMessageItem | AssistantMessageItem, Field(discriminator="role")
]


class FunctionCallItem(WireModel):
    """A call of a client-side function by the model."""

    id: ItemId = None
    object: ItemObject | None = None
    type: Literal["function_call"] = "function_call"
    status: ItemStatus | None = None
    name: str
    call_id: str | None = None
    arguments: str


def encode_output(output: Any) -> str:
    """A tool result as the ``output`` string: text as it is, anything else as JSON."""
    return output if isinstance(output, str) else json.dumps(output, separators=(",", ":"))


class FunctionCallOutputItem(WireModel):
    """The result of a function call, sent back by the client."""

    id: ItemId = None
    object: ItemObject | None = None
    type: Literal["function_call_output"] = "function_call_output"
    status: ItemStatus | None = None
    call_id: str
    output: str

    @classmethod
    def for_call(cls, call_id: str, output: Any) -> FunctionCallOutputItem:
        """The output of call ``call_id``; non-string results are JSON-encoded."""
        return cls(call_id=call_id, output=encode_output(output))


class McpApprovalRequestItem(WireModel):
    """The model asks to call an MCP tool that needs approval."""

    id: str
    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    server_label: str
    name: str
    arguments: str


class McpApprovalResponseItem(WireModel):
    """The client's answer to an MCP approval request."""

    id: str | None = None
    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    approval_request_id: str
    approve: bool
    reason: str | None = None


class McpListedTool(WireModel):
    """One tool an MCP server offers."""

    name: str
    input_schema: Any
    description: str | None = None
    annotations: Any | None = None


class McpListToolsItem(WireModel):
    """The tools listed by an MCP server."""

    id: str | None = None
    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    server_label: str
    tools: list[McpListedTool]


class McpProtocolError(WireModel):
    """An MCP protocol failure."""

    type: Literal["protocol_error"] = "protocol_error"
    code: int
    message: str


class McpToolExecutionError(WireModel):
    """An MCP tool that failed while running."""

    type: Literal["tool_execution_error"] = "tool_execution_error"
    message: str


class McpHttpError(WireModel):
    """An HTTP failure talking to an MCP server."""

    type: Literal["http_error"] = "http_error"
    code: int
    message: str


McpCallError = Annotated[
    McpProtocolError | McpToolExecutionError | McpHttpError, Field(discriminator="type")
]


class McpCallItem(WireModel):
    """A call of an MCP tool, and its result."""

    id: str
    type: Literal["mcp_call"] = "mcp_call"
    server_label: str
    name: str
    arguments: str
    approval_request_id: str | None = None
    output: str | None = None
    error: McpCallError | None = None


Item = Annotated[
    MessageItem
    | FunctionCallItem
    | FunctionCallOutputItem
    | McpApprovalRequestItem
    | McpApprovalResponseItem
    | McpListToolsItem
    | McpCallItem,
    Field(discriminator="type"),
]
"""Any conversation item."""


class ItemReference(WireModel):
    """A reference to an existing item, in ``response.create``'s ``input``."""

    type: Literal["item_reference"] = "item_reference"
    id: str


InputItem = Annotated[
    MessageItem
    | FunctionCallItem
    | FunctionCallOutputItem
    | McpApprovalRequestItem
    | McpApprovalResponseItem
    | McpListToolsItem
    | McpCallItem
    | ItemReference,
    Field(discriminator="type"),
]
"""An item or an item reference, in ``response.create``'s ``input``."""


class TextPart(WireModel):
    """A text part in ``response.content_part.*`` (``type`` stays ``text`` in GA)."""

    type: Literal["text"] = "text"
    text: str | None = None


class AudioPart(WireModel):
    """An audio part in ``response.content_part.*`` (``type`` stays ``audio`` in GA)."""

    type: Literal["audio"] = "audio"
    audio: B64 | None = None
    transcript: str | None = None


ContentPart = Annotated[TextPart | AudioPart, Field(discriminator="type")]
