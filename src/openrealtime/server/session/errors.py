"""Every error the session core reports, worded as OpenAI words it.

Errors are values: each function returns a :class:`ProtocolError`, which becomes
exactly one ``error`` event carrying the client's ``event_id`` (or, before a session
opens, an error and a close; at the REST endpoints, an error body). [O] marks
wording observed from OpenAI's server, kept verbatim; [U] wording is ours, and
docs/behaviour.md documents it. A client value quoted in a message is cut after
512 characters (``ProtocolError.shown``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

from ...protocol import ProtocolError

_shown = ProtocolError.shown

__all__ = [
    "active_response",
    "assistant_audio",
    "audio_too_large",
    "audio_too_short_for_truncate",
    "binary_frame",
    "cancel_not_active",
    "cannot_update_voice",
    "commit_empty",
    "duplicate_item_id",
    "engines_unavailable",
    "input_buffer_full",
    "invalid_api_key",
    "invalid_audio",
    "invalid_console_token",
    "invalid_model",
    "item_limit_reached",
    "item_not_found",
    "kind_mismatch",
    "mask_key",
    "missing_credentials",
    "missing_model",
    "model_for_transcription",
    "model_mismatch",
    "no_function_call",
    "origin_not_allowed",
    "output_modalities",
    "rate_limit_reached",
    "reply_too_large",
    "secret_store_full",
    "server_error",
    "session_expired",
    "session_limit_reached",
    "session_type_mismatch",
    "sideband_unsupported",
    "truncate_item_not_found",
    "truncate_not_audio",
    "ttl_out_of_range",
    "unknown_response",
    "unsupported_event",
    "unsupported_value",
]


def active_response(response_id: str, event_id: str | None) -> ProtocolError:
    """A second response for the default conversation while one is running [O]."""
    return ProtocolError(
        "conversation_already_has_active_response",
        f"Conversation already has an active response in progress: {response_id}. "
        "Wait until the response is finished before creating a new one.",
        event_id=event_id,
    )


def cancel_not_active(event_id: str | None) -> ProtocolError:
    """``response.cancel`` with nothing to cancel [O]."""
    return ProtocolError(
        "response_cancel_not_active",
        "Cancellation failed: no active response found",
        event_id=event_id,
    )


def unknown_response(response_id: str, event_id: str | None) -> ProtocolError:
    """``response.cancel`` naming a response this session never had [U]."""
    return ProtocolError(
        "invalid_value",
        f"Response with response_id not found: {_shown(response_id)}",
        param="response_id",
        event_id=event_id,
    )


def item_not_found(item_id: str, param: str, event_id: str | None) -> ProtocolError:
    """An unknown item id in ``previous_item_id``, retrieve, delete or an input reference [U]."""
    return ProtocolError(
        "item_not_found",
        f"Item with item_id not found: {_shown(item_id)}",
        param=param,
        event_id=event_id,
    )


def truncate_item_not_found(item_id: str, event_id: str | None) -> ProtocolError:
    """Truncating an unknown item [O, pairing U]."""
    return ProtocolError(
        "item_truncate_invalid_item_id",
        f"Item with item_id not found: {_shown(item_id)}",
        param="item_id",
        event_id=event_id,
    )


def truncate_not_audio(event_id: str | None) -> ProtocolError:
    """Truncating anything but assistant audio that has started [O]."""
    return ProtocolError(
        "unsupported_content_type",
        "Only model output audio messages can be truncated",
        event_id=event_id,
    )


def audio_too_short_for_truncate(
    audio_ms: int, requested_ms: int, event_id: str | None
) -> ProtocolError:
    """``audio_end_ms`` past the audio sent so far; the server never clamps [O]."""
    return ProtocolError(
        "invalid_value",
        f"Audio content of {audio_ms}ms is already shorter than {requested_ms}ms",
        event_id=event_id,
    )


def commit_empty(buffered_ms: float, event_id: str | None) -> ProtocolError:
    """Committing less than 100 ms of audio [O]."""
    return ProtocolError(
        "input_audio_buffer_commit_empty",
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
        f"audio, but buffer only has {buffered_ms:.2f}ms of audio.",
        event_id=event_id,
    )


def cannot_update_voice(event_id: str | None) -> ProtocolError:
    """Changing the voice after assistant audio exists [O]."""
    return ProtocolError(
        "cannot_update_voice",
        "Cannot update a conversation's voice if assistant audio is present.",
        event_id=event_id,
    )


def session_type_mismatch(realtime_session: bool, event_id: str | None) -> ProtocolError:
    """A ``session.update`` of the other session type [O for the realtime case]."""
    wrong, right = (
        ("transcription", "realtime") if realtime_session else ("realtime", "transcription")
    )
    return ProtocolError(
        "invalid_parameter",
        f"Passing a {wrong} session update event to a {right} session is not allowed.",
        param="session.type",
        event_id=event_id,
    )


def invalid_model(model: str, param: str | None, event_id: str | None = None) -> ProtocolError:
    """A model this server does not serve [O]."""
    return ProtocolError(
        "invalid_model",
        f'Model "{_shown(model)}" is not supported in realtime mode.',
        param=param,
        event_id=event_id,
    )


def missing_model(example_model: str) -> ProtocolError:
    """A realtime connection without ``?model=`` [O]."""
    return ProtocolError(
        "missing_model",
        "You must provide a model parameter, for example "
        f"wss://api.openai.com/v1/realtime?model={example_model}",
    )


def sideband_unsupported() -> ProtocolError:
    """A connection with ``?call_id=`` (a WebRTC or SIP call's sideband) [U]."""
    return ProtocolError(
        "invalid_value",
        "Sideband connections with call_id are not supported by this server.",
        param="call_id",
    )


def model_for_transcription() -> ProtocolError:
    """A transcription connection (``?intent=transcription``) that names a model [O]."""
    return ProtocolError(
        "invalid_model", "You must not provide a model parameter for transcription sessions."
    )


def session_expired(minutes: float) -> ProtocolError:
    """The session reached its maximum duration [O]."""
    return ProtocolError(
        "session_expired", f"Your session hit the maximum duration of {minutes:g} minutes."
    )


def binary_frame() -> ProtocolError:
    """A binary WebSocket frame [O]."""
    return ProtocolError(
        "invalid_event", "Expected a text WebSocket message; binary frames are not supported."
    )


def invalid_audio(event_id: str | None, param: str = "audio") -> ProtocolError:
    """``audio`` that is not valid base64 [U]."""
    return ProtocolError(
        "invalid_value",
        f"Invalid '{param}': expected base64-encoded audio.",
        param=param,
        event_id=event_id,
    )


def audio_too_large(size: int, limit: int, event_id: str | None) -> ProtocolError:
    """More than 15 MiB of decoded audio in one append [U wording]."""
    return ProtocolError(
        "invalid_value",
        f"Invalid 'audio': the decoded audio is {size} bytes, but at most {limit} bytes "
        "(15 MiB) may be appended at a time.",
        param="audio",
        event_id=event_id,
    )


def duplicate_item_id(item_id: str, event_id: str | None) -> ProtocolError:
    """Creating an item with an id already in the conversation [U]."""
    return ProtocolError(
        "invalid_value",
        f"Item with item_id already exists: {_shown(item_id)}",
        param="item.id",
        event_id=event_id,
    )


def assistant_audio(param: str, event_id: str | None) -> ProtocolError:
    """Creating an assistant message with audio content [S; wording U].

    Worded without content type names, which differ between the dialects.
    """
    return ProtocolError(
        "invalid_value",
        f"Invalid '{param}': assistant audio cannot be created; assistant messages "
        "take text content only.",
        param=param,
        event_id=event_id,
    )


def no_function_call(call_id: str, event_id: str | None) -> ProtocolError:
    """A ``function_call_output`` whose ``call_id`` matches no function call [U]."""
    return ProtocolError(
        "invalid_value",
        f"No tool call found for function call output with call_id {_shown(call_id)}.",
        param="item.call_id",
        event_id=event_id,
    )


def output_modalities(value: Iterable[str], param: str, event_id: str | None) -> ProtocolError:
    """Both output modalities at once, which GA does not allow [U wording]."""
    return ProtocolError(
        "invalid_value",
        f"Invalid '{param}': {list(value)!r} is not supported. "
        "Supported values are: ['audio'] and ['text'].",
        param=param,
        event_id=event_id,
    )


def unsupported_value(
    value: str, supported: Iterable[str], param: str, event_id: str | None
) -> ProtocolError:
    """A value this server does not serve, naming the values it does.

    An MCP tool, an unknown transcription model, or a voice or transcription language
    the model's engines cannot do.
    """
    return ProtocolError.invalid_value(value, supported, param=param, event_id=event_id)


def unsupported_event(
    event_type: str, supported: Iterable[str], event_id: str | None
) -> ProtocolError:
    """An event this kind of session does not accept (a transcription session's) [U]."""
    return ProtocolError.invalid_value(event_type, supported, param="type", event_id=event_id)


def engines_unavailable(reason: str) -> ProtocolError:
    """The model's engines failed to start, so no session can open [U]."""
    return ProtocolError(
        "engines_unavailable",
        f"The server cannot serve sessions: its engines failed to start ({reason}).",
        type="server_error",
    )


def input_buffer_full(limit_ms: int, event_id: str | None) -> ProtocolError:
    """An append past ``max_input_buffer_ms`` [U]."""
    return ProtocolError(
        "input_audio_buffer_full",
        f"The input audio buffer is full: it holds at most {_duration(limit_ms)} of "
        "uncommitted audio. Commit or clear it before appending more.",
        param="audio",
        event_id=event_id,
    )


def item_limit_reached(limit: int, event_id: str | None) -> ProtocolError:
    """Adding an item to a conversation that holds ``max_items`` [U]."""
    return ProtocolError(
        "conversation_item_limit_reached",
        f"The conversation already holds {limit} items, the most this server keeps. "
        "Delete items before adding more.",
        event_id=event_id,
    )


def _duration(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    if rest or not minutes:
        return f"{ms} ms"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


# -- operations: credentials, client secrets, admission -------------------------------

_SHOWN_PREFIX: Final = 3
_SHOWN_SUFFIX: Final = 4
_MASK_ALL_BELOW: Final = 12


def mask_key(key: str) -> str:
    """A key as OpenAI shows it in errors: ``sk-…AAAA``; short keys entirely hidden."""
    if len(key) < _MASK_ALL_BELOW:
        return "****"
    return f"{key[:_SHOWN_PREFIX]}…{key[-_SHOWN_SUFFIX:]}"


def invalid_api_key(token: str) -> ProtocolError:
    """A token that is no key and no live client secret [O]."""
    return ProtocolError(
        "invalid_api_key",
        f"Incorrect API key provided: {mask_key(token)}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
    )


def missing_credentials() -> ProtocolError:
    """No token at all, on a server that has keys [O]."""
    return ProtocolError(None, "Missing bearer or basic authentication in header")


def invalid_console_token() -> ProtocolError:
    """The console's endpoint without the console token, on a server with keys (HTTP 401) [U]."""
    return ProtocolError(
        "invalid_console_token",
        "This endpoint needs the console token: open the console URL that "
        "`openrealtime serve` printed (it ends in ?token=...).",
    )


def model_mismatch(requested: str, minted: str) -> ProtocolError:
    """A connection naming another model than its client secret (close 4000)."""
    return ProtocolError(
        "invalid_model",
        f'Model "{_shown(requested)}" does not match the model of this client secret, "{minted}".',
    )


def kind_mismatch(minted: Literal["realtime", "transcription"]) -> ProtocolError:
    """A realtime secret on a transcription URL, or the reverse (close 4000)."""
    how = (
        "connect with ?intent=transcription and no model"
        if minted == "transcription"
        else "connect with ?model= rather than ?intent=transcription"
    )
    return ProtocolError(
        "invalid_value",
        f"This client secret opens a {minted} session; {how}.",
        param="intent",
    )


def session_limit_reached(
    limit: int, *, holder: Literal["server", "key", "secret"] = "server"
) -> ProtocolError:
    """Over a concurrent-session limit: the server's, an API key's or a client secret's."""
    holder_text = {"server": "This server", "key": "This API key", "secret": "This client secret"}
    return ProtocolError(
        "session_limit_reached",
        f"{holder_text[holder]} already has {limit} open sessions, the most allowed. "
        "Try again later.",
    )


def ttl_out_of_range(seconds: int, low: int, high: int, param: str) -> ProtocolError:
    """A client secret's lifetime outside ``low`` to ``high`` seconds [O wording]."""
    if seconds < low:
        return ProtocolError(
            "integer_below_min_value",
            f"Invalid '{param}': integer below minimum value. Expected a value >= "
            f"{low}, but got {seconds} instead.",
            param=param,
        )
    return ProtocolError(
        "integer_above_max_value",
        f"Invalid '{param}': integer above maximum value. Expected a value <= "
        f"{high}, but got {seconds} instead.",
        param=param,
    )


def secret_store_full(capacity: int) -> ProtocolError:
    """Minting while the store holds ``capacity`` live client secrets (HTTP 429) [U]."""
    return ProtocolError(
        "rate_limit_exceeded",
        f"This server already holds {capacity} live client secrets. "
        "Try again when some have expired.",
    )


def origin_not_allowed(origin: str) -> ProtocolError:
    """A browser page from an origin outside ``allowed_origins`` [U]."""
    return ProtocolError(
        "origin_not_allowed",
        f"The origin {_shown(origin)!r} is not allowed to use this server.",
    )


def rate_limit_reached(
    name: str, limit: int, reset_seconds: float, event_id: str | None
) -> ProtocolError:
    """A response past the session's requests or tokens per minute [U wording]."""
    return ProtocolError(
        "rate_limit_exceeded",
        f"Rate limit reached for {name} per minute: limit {limit}, used {limit}. "
        f"Please try again in {reset_seconds:.3g}s.",
        event_id=event_id,
    )


def reply_too_large(event_type: str, size: int, limit: int, event_id: str | None) -> ProtocolError:
    """A server event too large for one frame, sent in its place [U]."""
    return ProtocolError(
        "reply_too_large",
        f"The {event_type} event would be a frame of {size} bytes, more than the {limit} "
        "bytes this server sends in one frame (max_reply_bytes), so it was not sent.",
        event_id=event_id,
    )


def server_error(session_id: str) -> ProtocolError:
    """An internal failure outside any response [O wording]."""
    return ProtocolError(
        None,
        "The server had an error while processing your request. Sorry about that! Please "
        "contact us through our help center at help.openai.com if the error persists. "
        f"(include session ID in your message: {session_id}). We recommend you retry your "
        "request.",
        type="server_error",
    )
