"""A Realtime client that keeps the conversation, runs tools and truncates where playback stopped.

- :class:`RealtimeClient`: the connection (OpenAI, Azure OpenAI, any compatible server;
  GA or beta dialect), one typed method per client event, handlers, event streams.
- :class:`Conversation` / :class:`ConversationItem`: the mirror of the server's
  conversation; :class:`Response`: one response and its output.
- :class:`PlaybackTracker`: what the listener heard, so interruptions cut exactly there.
- :class:`RealtimeError`, :class:`ConnectionClosedError`, :class:`ResponseFailedError`.

It needs only the core install (pydantic, websockets). Microphone and speaker
(:mod:`openrealtime.client.devices`) need ``openrealtime[voice]``; resampling and numpy
input need ``openrealtime[audio]``. The guide is ``docs/client.md``.
"""

import logging

from ..extras import MissingExtra
from .audio_input import AudioSource
from .client import RealtimeClient
from .connection import Direction, FrameTap
from .conversation import AudioChunk, AudioStream, ContentPart, Conversation, ConversationItem
from .dispatch import EventStream
from .endpoint import DEFAULT_URL, Endpoint, resolve_endpoint
from .errors import ConnectionClosedError, RealtimeError, ResponseFailedError
from .playback import PlaybackTracker, Truncation
from .reconnect import ReconnectPolicy
from .requests import SessionModel
from .responses import Response, Responses
from .sync import SyncRealtimeClient
from .tools import FunctionCall, Tool, ToolRegistry

__all__ = [
    "DEFAULT_URL",
    "AudioChunk",
    "AudioSource",
    "AudioStream",
    "ConnectionClosedError",
    "ContentPart",
    "Conversation",
    "ConversationItem",
    "Direction",
    "Endpoint",
    "EventStream",
    "FrameTap",
    "FunctionCall",
    "MissingExtra",
    "PlaybackTracker",
    "RealtimeClient",
    "RealtimeError",
    "ReconnectPolicy",
    "Response",
    "ResponseFailedError",
    "Responses",
    "SessionModel",
    "SyncRealtimeClient",
    "Tool",
    "ToolRegistry",
    "Truncation",
    "resolve_endpoint",
]

# A library logs; the application decides where the records go.
logging.getLogger("openrealtime.client").addHandler(logging.NullHandler())
