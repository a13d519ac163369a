"""Item translation: conversation items and ``response.create`` inputs.

==========================================  ============================================
beta                                        GA
==========================================  ============================================
assistant content ``text {text}``           ``output_text {text}``
assistant content ``audio {audio,           ``output_audio {audio, transcript}``
transcript}``
system and user messages (``input_text``,   the same
``input_audio``), ``function_call``,
``function_call_output``
``object: "realtime.item"`` on items        no ``object``
top-level ``{type: "item_reference", id}``  the same (``response.input`` only)
user content ``item_reference {id}``        nothing: :class:`TranslationError`
(none)                                      user content ``input_image``: raises
(none)                                      MCP items (``mcp_call``,
                                            ``mcp_list_tools``, ``mcp_approval_*``):
                                            raise
==========================================  ============================================

Beta servers put ``object: "realtime.item"`` on every item; GA servers do not.
:func:`item_to_ga` therefore drops it, and :func:`item_to_beta` adds it when
``with_object=True`` (what a server edge does for a beta client). Items keep
every other field they have set, unknown extras included.

``TranslationError.param`` is the offending field's path under ``param``, for
example ``response.input[1].content[0].type``.
"""

from __future__ import annotations

from typing import Any, Final

from .. import beta, ga
from ._common import at, index, rebuild, unsupported_value

__all__ = ["input_item_to_beta", "input_item_to_ga", "item_to_beta", "item_to_ga"]

ITEM_OBJECT: Final = "realtime.item"
_BETA_ITEM_TYPES: Final = ("message", "function_call", "function_call_output")
_BETA_USER_CONTENT: Final = ("input_text", "input_audio")
_REFERENCE_HINT: Final = (
    "Item references inside message content are not supported; put "
    '{"type": "item_reference", "id": ...} directly in \'response.input\' instead.'
)

_SharedItem = ga.SystemMessageItem | ga.FunctionCallItem | ga.FunctionCallOutputItem


def _user_content_to_ga(part: beta.UserContent, param: str) -> ga.UserContent:
    if isinstance(part, beta.ItemReferenceContent):
        raise unsupported_value(
            part.type, _BETA_USER_CONTENT, param=at(param, "type"), hint=_REFERENCE_HINT
        )
    return part


def _assistant_content_to_ga(part: beta.AssistantContent) -> ga.AssistantContent:
    if isinstance(part, beta.TextContent):
        return rebuild(ga.OutputTextContent, part)
    return rebuild(ga.OutputAudioContent, part)


def _user_content_to_beta(part: ga.UserContent, param: str) -> beta.UserContent:
    if isinstance(part, ga.InputImageContent):
        raise unsupported_value(part.type, _BETA_USER_CONTENT, param=at(param, "type"))
    return part


def _assistant_content_to_beta(part: ga.AssistantContent) -> beta.AssistantContent:
    if isinstance(part, ga.OutputTextContent):
        return rebuild(beta.TextContent, part)
    return rebuild(beta.AudioContent, part)


def item_to_ga(item: beta.Item, *, param: str = "item") -> ga.Item:
    """A beta item as a GA item, without ``object``.

    Raises :class:`TranslationError` for ``item_reference`` user content.
    """
    if isinstance(item, beta.UserMessageItem):
        content = [
            _user_content_to_ga(part, index(at(param, "content"), position))
            for position, part in enumerate(item.content)
        ]
        return rebuild(ga.UserMessageItem, item, drop=("object",), content=content)
    if isinstance(item, beta.AssistantMessageItem):
        parts = [_assistant_content_to_ga(part) for part in item.content]
        return rebuild(ga.AssistantMessageItem, item, drop=("object",), content=parts)
    return _without_object(item)


def _without_object(item: _SharedItem) -> _SharedItem:
    if "object" not in item.model_fields_set:
        return item
    return rebuild(type(item), item, drop=("object",))


def item_to_beta(item: ga.Item, *, with_object: bool = False, param: str = "item") -> beta.Item:
    """A GA item as a beta item, with ``object: "realtime.item"`` when ``with_object``.

    Raises :class:`TranslationError` for MCP items and ``input_image`` content.
    """
    extra: dict[str, Any] = {"object": ITEM_OBJECT} if with_object else {}
    if isinstance(item, ga.UserMessageItem):
        content = [
            _user_content_to_beta(part, index(at(param, "content"), position))
            for position, part in enumerate(item.content)
        ]
        return rebuild(beta.UserMessageItem, item, content=content, **extra)
    if isinstance(item, ga.AssistantMessageItem):
        parts = [_assistant_content_to_beta(part) for part in item.content]
        return rebuild(beta.AssistantMessageItem, item, content=parts, **extra)
    if isinstance(item, ga.SystemMessageItem | ga.FunctionCallItem | ga.FunctionCallOutputItem):
        return rebuild(type(item), item, **extra) if extra else item
    raise unsupported_value(item.type, _BETA_ITEM_TYPES, param=at(param, "type"))


def input_item_to_ga(item: beta.InputItem, *, param: str = "item") -> ga.InputItem:
    """A beta ``response.create`` input entry as a GA one (references pass unchanged)."""
    if isinstance(item, ga.ItemReference):
        return item
    return item_to_ga(item, param=param)


def input_item_to_beta(item: ga.InputItem, *, param: str = "item") -> beta.InputItem:
    """A GA ``response.create`` input entry as a beta one (references pass unchanged)."""
    if isinstance(item, ga.ItemReference):
        return item
    return item_to_beta(item, param=param)
