"""Who may open which session: the app's answer to each WebSocket handshake.

In order: the page's ``Origin`` when ``allowed_origins`` is set (close 3003), the
credentials (API key or client secret; close 3000), the request (the model,
``intent``, ``call_id``, a client secret's model and kind; close 4000), the
concurrent-session limits and shutdown (close 1013 or 1001), then the engines, which
a mounted app may still be loading (close 1011 if they failed). The session that
opens is the core's :class:`~openrealtime.server.Session`, started from the client
secret's configuration when there is one; with ``ServerConfig.relay`` it is a
:class:`~openrealtime.server.relay.RelayBackend` instead, and the model is the
upstream's to check.
"""

from __future__ import annotations

import logging
from typing import Final, Literal
from urllib.parse import urlencode

from ...protocol import ProtocolError, ga
from ..config import ServerConfig
from ..relay import RelayBackend, RelaySettings
from ..session import errors
from ..session.clock import SystemClock
from ..session.ids import RandomIds
from ..session.observer import SessionObserver
from ..session.session import Session
from ..tap import FrameTap, TapInfo
from ..transport.connection import Connection, Handshake, Opened, Refused
from ..transport.credentials import presented_token
from ..transport.outbox import Close
from .admission import OpenSessions
from .auth import AUTH_CLOSE_CODE, Authenticator
from .client_secrets import ClientSecret
from .engines import AppEngines
from .origins import ORIGIN_CLOSE_CODE, OriginPolicy

__all__ = ["ENGINE_CLOSE_CODE", "REQUEST_CLOSE_CODE", "SessionGate"]

_LOG = logging.getLogger("openrealtime.connection")

REQUEST_CLOSE_CODE: Final = 4000
"""The close after a bad request (model, intent, call_id), as OpenAI closes."""
ENGINE_CLOSE_CODE: Final = 1011
"""The close when the engines failed to start: the server cannot serve the session."""


class SessionGate:
    """Opens sessions for connections that pass every check (a :class:`SessionOpener`)."""

    def __init__(
        self,
        config: ServerConfig,
        sessions: OpenSessions,
        auth: Authenticator,
        engines: AppEngines,
        observer: SessionObserver | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.auth = auth
        self.engines = engines
        self.observer = observer
        self.origins = OriginPolicy(config.allowed_origins)
        self._ids = RandomIds()

    async def open(self, handshake: Handshake, connection: Connection) -> Opened:
        """The connection's session; raises :class:`Refused` with the error and close it gets."""
        origin = handshake.headers.get("origin")
        if not self.origins.allows(origin, connection.own_origin()):
            error = errors.origin_not_allowed(origin or "")
            raise Refused(error, Close.after(error, ORIGIN_CLOSE_CODE))
        try:
            token = presented_token(handshake.headers, handshake.subprotocols)
            grant = self.auth.authenticate(token, handshake.dialect)
        except ProtocolError as error:
            raise Refused(error, Close.after(error, AUTH_CLOSE_CODE)) from None
        try:
            kind, model = self._check_request(handshake, grant.secret)
        except ProtocolError as error:
            raise Refused(error, Close.after(error, REQUEST_CLOSE_CODE)) from None
        secret = grant.secret.value if grant.secret is not None else None
        admission = self.sessions.admit(grant.key_index, connection.shut_down, secret)
        if self.config.relay is not None:
            relay = self._relay(self.config.relay, connection, kind, model, grant.secret)
            admission.attach(relay)
            tap = self._tap(handshake, relay.id, kind, token)
            summary = f"relayed to {self.config.relay.url}, {model or kind}"
            return Opened(relay, admission.release, summary, tap)
        try:
            await self._engines_ready()
            minutes = self.config.session.session_minutes
            session = Session(
                kind=kind,
                model=model,
                engines_for=self.config.models.engines,
                sink=connection.send,
                ids=self._ids,
                clock=SystemClock(),
                options=self.config.session,
                on_expired=lambda: connection.close(
                    Close.after(errors.session_expired(minutes), 1001)
                ),
                config=grant.secret.config if grant.secret is not None else None,
                observer=self.observer,
            )
        except BaseException:
            admission.release()
            raise
        admission.attach(session)
        tap = self._tap(handshake, session.id, kind, token)
        return Opened(session, admission.release, f"{kind}, {model or 'no model'}", tap)

    @staticmethod
    def _relay(
        settings: RelaySettings,
        connection: Connection,
        kind: Literal["realtime", "transcription"],
        model: str | None,
        secret: ClientSecret | None,
    ) -> RelayBackend:
        """A backend that forwards the session upstream, set up as the client secret says."""
        setup = None
        if secret is not None and secret.config.model_fields_set - {"type", "model"}:
            setup = ga.SessionUpdateEvent(session=secret.config)
        return RelayBackend(
            settings,
            send=connection.send,
            close=lambda code, reason: connection.close(Close(code, reason)),
            model=model,
            intent="transcription" if kind == "transcription" else None,
            setup=setup,
        )

    def _tap(
        self,
        handshake: Handshake,
        session_id: str,
        kind: Literal["realtime", "transcription"],
        token: str | None,
    ) -> FrameTap | None:
        """The session's frame tap, if the server has one (``serve --record``)."""
        if self.config.tap is None:
            return None
        path = f"/v1/realtime?{urlencode(dict(handshake.query))}"
        return self.config.tap(TapInfo(session_id, handshake.dialect, kind, path, token))

    async def _engines_ready(self) -> None:
        """Wait for the engines (a mounted app starts them on first use)."""
        try:
            await self.engines.start()
        except Exception as exc:
            _LOG.error("engines failed to start: %s", exc)
            error = errors.engines_unavailable(str(exc))
            raise Refused(error, Close.after(error, ENGINE_CLOSE_CODE)) from None

    def _check_request(
        self, handshake: Handshake, secret: ClientSecret | None
    ) -> tuple[Literal["realtime", "transcription"], str | None]:
        params = handshake.query
        model = params.get("model")
        if params.get("call_id"):
            raise errors.sideband_unsupported()
        if params.get("intent") == "transcription":
            if model:
                raise errors.model_for_transcription()
            if secret is not None and secret.kind != "transcription":
                raise errors.kind_mismatch(secret.kind)
            return "transcription", None
        if secret is not None and secret.kind == "transcription":
            if model:
                raise errors.kind_mismatch(secret.kind)
            return "transcription", None
        if secret is not None and secret.model:
            if model and model != secret.model:
                raise errors.model_mismatch(model, secret.model)
            model = secret.model
        if not model:
            raise errors.missing_model(self.config.example_model)
        if self.config.relay is None and self.config.models.find(model) is None:
            raise errors.invalid_model(model, None)
        return "realtime", model
