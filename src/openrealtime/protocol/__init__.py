"""Wire models of the OpenAI Realtime protocol, in both dialects.

- :mod:`openrealtime.protocol.ga`: the GA dialect that current clients speak.
- :mod:`openrealtime.protocol.beta`: the ``OpenAI-Beta: realtime=v1`` dialect.
- :class:`ProtocolError`: a rejected client event, ready to become an ``error`` event.
- :func:`json_too_deep`: whether JSON text nests deeper than the parser reads (200).

This package does no I/O and depends on pydantic alone.
"""

from . import beta, ga, translate
from ._base import ClientEventBase, ServerEventBase, WireModel
from ._errors import ProtocolError, json_too_deep

__all__ = [
    "ClientEventBase",
    "ProtocolError",
    "ServerEventBase",
    "WireModel",
    "beta",
    "ga",
    "json_too_deep",
    "translate",
]
