"""Beta conversation items.

Beta names assistant content ``text`` and ``audio`` (GA: ``output_text`` and
``output_audio``), puts ``object: "realtime.item"`` on items, and lets a
``response.create`` input reference an item through an ``item_reference``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .._base import WireModel
from .._fields import B64
from ..ga._items import (
    FunctionCallItem,
    FunctionCallOutputItem,
    InputAudioContent,
    InputTextContent,
    ItemReference,
    MessageBase,
    SystemMessageItem,
    UserMessageFactories,
)

__all__ = [
    "AssistantContent",
    "AssistantMessageItem",
    "AudioContent",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "InputAudioContent",
    "InputItem",
    "InputTextContent",
    "Item",
    "ItemReference",
    "ItemReferenceContent",
    "MessageItem",
    "SystemMessageItem",
    "TextContent",
    "UserContent",
    "UserMessageItem",
]


class TextContent(WireModel):
    """Assistant text (GA: ``output_text``)."""

    type: Literal["text"] = "text"
    text: str


class AudioContent(WireModel):
    """Assistant audio and its transcript (GA: ``output_audio``)."""

    type: Literal["audio"] = "audio"
    audio: B64 | None = None
    transcript: str | None = None


class ItemReferenceContent(WireModel):
    """A reference to an item, as content of a ``response.create`` input message."""

    type: Literal["item_reference"] = "item_reference"
    id: str


UserContent = Annotated[
    InputTextContent | InputAudioContent | ItemReferenceContent, Field(discriminator="type")
]
AssistantContent = Annotated[TextContent | AudioContent, Field(discriminator="type")]


class UserMessageItem(UserMessageFactories, MessageBase):
    """A user message: text or audio."""

    role: Literal["user"] = "user"
    content: list[UserContent]


class AssistantMessageItem(MessageBase):
    """An assistant message: text, or audio with its transcript."""

    role: Literal["assistant"] = "assistant"
    content: list[AssistantContent]


MessageItem = Annotated[
    SystemMessageItem | UserMessageItem | AssistantMessageItem, Field(discriminator="role")
]

Item = Annotated[
    MessageItem | FunctionCallItem | FunctionCallOutputItem, Field(discriminator="type")
]
"""Any beta conversation item."""

InputItem = Annotated[
    MessageItem | FunctionCallItem | FunctionCallOutputItem | ItemReference,
    Field(discriminator="type"),
]
"""An item or an item reference, in ``response.create``'s ``input``."""
