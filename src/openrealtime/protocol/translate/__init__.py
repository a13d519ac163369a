"""Translation between the beta (``OpenAI-Beta: realtime=v1``) and GA dialects.

The server's session core works on one internal model: the GA models, plus the
few beta-only fields they carry (``temperature``). A beta client is translated at
the server's edge; a client talking to a beta-only server uses the reverse
direction. Everything here is pure: functions, and small stateful classes over
an event stream, with no I/O.

- Sessions: :func:`session_to_ga`, :func:`session_to_beta`,
  :func:`transcription_session_to_ga`, :func:`transcription_session_to_beta`.
- Items: :func:`item_to_ga`, :func:`item_to_beta` (``with_object=True`` for a
  beta client), and the ``input_item_*`` forms that also take item references.
- Responses: :func:`response_params_to_ga`, :func:`response_params_to_beta`
  (``response.create``), :func:`response_to_ga`, :func:`response_to_beta` (the
  resource).
- Client events: :func:`client_event_to_ga` (server edge) and
  :func:`client_event_to_beta` (client side).
- Server events: :class:`ServerEventsToBeta` and :class:`GaWireFilter` cut the
  beta and GA wires from the internal stream; :class:`ServerEventsToGa` reads a
  beta server's wire as GA events.

Each translator copies only the fields set on its source, so an absent field
stays absent and an explicit ``null`` stays ``null``. What the target dialect
cannot express raises :class:`TranslationError` when a client asked for it, and
is dropped, as documented in each module, when a server reports it. The mapping
tables are in the private modules' docstrings.
"""

from ._client import client_event_to_beta, client_event_to_ga
from ._common import TranslationError
from ._items import input_item_to_beta, input_item_to_ga, item_to_beta, item_to_ga
from ._response import (
    response_params_to_beta,
    response_params_to_ga,
    response_to_beta,
    response_to_ga,
)
from ._server import (
    GA_ONLY_EVENTS,
    GaWireFilter,
    ServerEventsToBeta,
    ServerEventsToGa,
    random_event_id,
)
from ._session import (
    session_to_beta,
    session_to_ga,
    transcription_session_to_beta,
    transcription_session_to_ga,
)

__all__ = [
    "GA_ONLY_EVENTS",
    "GaWireFilter",
    "ServerEventsToBeta",
    "ServerEventsToGa",
    "TranslationError",
    "client_event_to_beta",
    "client_event_to_ga",
    "input_item_to_beta",
    "input_item_to_ga",
    "item_to_beta",
    "item_to_ga",
    "random_event_id",
    "response_params_to_beta",
    "response_params_to_ga",
    "response_to_beta",
    "response_to_ga",
    "session_to_beta",
    "session_to_ga",
    "transcription_session_to_beta",
    "transcription_session_to_ga",
]
