"""The REST endpoints that mint client secrets (ephemeral keys).

- ``POST /v1/realtime/client_secrets`` (GA): ``{expires_after?, session?}`` gives
  ``{value, expires_at, session}``; the secret lives 600 s unless asked otherwise
  (10 to 7200 s).
- ``POST /v1/realtime/sessions`` and ``/v1/realtime/transcription_sessions`` (beta):
  the body is the flat beta session; the answer is that session in full plus
  ``client_secret: {value, expires_at}``, living 60 s unless ``client_secret``
  asks otherwise.

Bodies are checked strictly with the protocol models and the rules of
``session.update``. Failures use OpenAI's REST envelope
``{"error": {"message", "type", "param", "code"}}``: 400 for a bad body, 401 for
missing or wrong credentials (a real API key is needed when the server has keys),
429 when the secret store is full.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, Literal, TypeVar

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ...protocol import ProtocolError, WireModel, beta, ga, translate
from ...protocol._fields import STRICT_CONTEXT
from ..config import ServerConfig
from ..session import errors
from ..session.defaults import (
    default_instructions,
    default_realtime_session,
    default_transcription_session,
)
from ..session.ids import RandomIds
from ..session.session_update import UpdateRules, check_update, merge_session
from ..session.view import SessionView
from ..transport.credentials import bearer_token
from .auth import Authenticator
from .client_secrets import ClientSecret, StoreFull
from .engines import AppEngines

__all__ = ["rest_error", "secret_routes"]

_GA_TTL: Final = 600
_BETA_TTL: Final = 60
_MIN_TTL: Final = 10
_MAX_TTL: Final = 7200

AnySession = ga.RealtimeSession | ga.TranscriptionSession
JsonObject = dict[str, object]
"""A response body, as built for ``JSONResponse``."""
_Model = TypeVar("_Model")


class _ExpiresAfter(WireModel):
    anchor: Literal["created_at"] | None = None
    seconds: int | None = None


class _ClientSecretRequest(WireModel):
    expires_after: _ExpiresAfter | None = None
    session: ga.Session | None = None


class _Refusal(Exception):
    def __init__(self, status: int, error: ProtocolError) -> None:
        self.status, self.error = status, error


def _parse(model: type[_Model], body: bytes) -> _Model:
    text = body if body.strip() else b"{}"
    try:
        return TypeAdapter(model).validate_json(
            text, strict=True, extra="forbid", context=STRICT_CONTEXT
        )
    except ValidationError as exc:
        raise _Refusal(400, ProtocolError.from_validation(exc, text, ())) from None


def _ttl(seconds: int | None, default: int, param: str) -> int:
    if seconds is None:
        return default
    if not _MIN_TTL <= seconds <= _MAX_TTL:
        raise _Refusal(400, errors.ttl_out_of_range(seconds, _MIN_TTL, _MAX_TTL, param))
    return seconds


class _Minter:
    """Checks a requested session, mints its secret, and builds the full session."""

    def __init__(self, config: ServerConfig, auth: Authenticator) -> None:
        self._config = config
        self._auth = auth
        self._ids = RandomIds()
        self._rules = UpdateRules(
            engines_for=config.models.engines,
            transcription_models=config.session.transcription_models,
        )

    def key_index(self, request: Request) -> int | None:
        """The API key of the request; with keys configured, one is required."""
        if not self._auth.keys:
            return None
        token = bearer_token(request.headers)
        if token is None:
            raise _Refusal(401, errors.missing_credentials())
        index = self._auth.keys.match(token)
        if index is None:
            raise _Refusal(401, errors.invalid_api_key(token))
        return index

    def mint(
        self,
        update: AnySession,
        *,
        flat: bool,
        ttl: int,
        dialect: Literal["ga", "beta"],
        key_index: int | None,
    ) -> tuple[ClientSecret, AnySession]:
        """The new secret and the full session it opens.

        ``flat`` bodies (beta) hold the session's fields at the top level, so error
        paths lose their ``session.`` prefix.
        """
        model = update.model if isinstance(update, ga.RealtimeSession) else None
        default: AnySession
        if isinstance(update, ga.TranscriptionSession):
            default = default_transcription_session(session_id=self._ids.new("sess_"), expires_at=0)
        else:
            default = default_realtime_session(
                session_id=self._ids.new("sess_"),
                model=model or self._config.example_model,
                voice=self._config.session.voice,
                expires_at=0,
                instructions=default_instructions(
                    self._rules.engines_for(model or self._config.example_model)
                ),
            )
        checked = update
        if self._config.relay is not None and isinstance(update, ga.RealtimeSession):
            # A relay serves the upstream's models: the upstream checks the name.
            checked = update.model_copy(update={"model": None})
        try:
            check_update(
                SessionView(default), checked, self._rules, voice_locked=False, event_id=None
            )
        except ProtocolError as error:
            if error.param is not None and flat:
                error.param = error.param.removeprefix("session.")
            raise _Refusal(400, error) from None
        try:
            secret = self._auth.secrets.mint(
                ttl_seconds=ttl,
                dialect=dialect,
                kind="transcription" if isinstance(update, ga.TranscriptionSession) else "realtime",
                model=model,
                config=update,
                key_index=key_index,
            )
        except StoreFull:
            raise _Refusal(429, errors.secret_store_full(self._auth.secrets.capacity)) from None
        return secret, merge_session(default, update)


def rest_error(status: int, error: ProtocolError) -> JSONResponse:
    """``error`` in OpenAI's REST envelope ``{"error": {message, type, param, code}}``."""
    detail = error.to_dict()
    body = {key: detail[key] for key in ("message", "type", "param", "code")}
    return JSONResponse({"error": body}, status_code=status)


def _error_response(refusal: _Refusal) -> JSONResponse:
    return rest_error(refusal.status, refusal.error)


Handler = Callable[[Request], Awaitable[JSONResponse]]


def secret_routes(config: ServerConfig, auth: Authenticator, engines: AppEngines) -> list[Route]:
    """The three minting routes, sharing the server's secret store.

    A request waits for the engines (their capabilities bound what a secret may
    configure); when they failed to start, it gets 503.
    """
    minter = _Minter(config, auth)

    def endpoint(work: Callable[[Request, bytes], JsonObject]) -> Handler:
        async def handle(request: Request) -> JSONResponse:
            try:
                await engines.start()
            except Exception as exc:
                return _error_response(_Refusal(503, errors.engines_unavailable(str(exc))))
            try:
                return JSONResponse(work(request, await request.body()))
            except _Refusal as refusal:
                return _error_response(refusal)

        return handle

    def client_secrets(request: Request, body: bytes) -> JsonObject:
        key_index = minter.key_index(request)
        parsed = _parse(_ClientSecretRequest, body)
        expiry = parsed.expires_after
        ttl = _ttl(expiry.seconds if expiry else None, _GA_TTL, "expires_after.seconds")
        update: AnySession = parsed.session or ga.RealtimeSession()
        secret, session = minter.mint(
            update, flat=False, ttl=ttl, dialect="ga", key_index=key_index
        )
        return {
            "value": secret.value,
            "expires_at": secret.expires_at,
            "session": session.to_dict(),
        }

    def beta_sessions(request: Request, body: bytes) -> JsonObject:
        key_index = minter.key_index(request)
        parsed = _parse(beta.Session, body)
        requested = parsed.client_secret.expires_after if parsed.client_secret else None
        seconds = requested.seconds if requested else None
        ttl = _ttl(seconds, _BETA_TTL, "client_secret.expires_after.seconds")
        secret, session = minter.mint(
            translate.session_to_ga(parsed), flat=True, ttl=ttl, dialect="beta", key_index=key_index
        )
        assert isinstance(session, ga.RealtimeSession)
        answer = translate.session_to_beta(session, drop_unsupported=True).to_dict()
        return {**answer, "client_secret": _beta_secret(secret)}

    def beta_transcription_sessions(request: Request, body: bytes) -> JsonObject:
        key_index = minter.key_index(request)
        parsed = _parse(beta.TranscriptionSession, body)
        requested = parsed.client_secret.expires_at if parsed.client_secret else None
        seconds = requested.seconds if isinstance(requested, beta.ClientSecretExpiry) else None
        ttl = _ttl(seconds, _BETA_TTL, "client_secret.expires_at.seconds")
        secret, session = minter.mint(
            translate.transcription_session_to_ga(parsed),
            flat=True,
            ttl=ttl,
            dialect="beta",
            key_index=key_index,
        )
        assert isinstance(session, ga.TranscriptionSession)
        answer = translate.transcription_session_to_beta(session, drop_unsupported=True).to_dict()
        return {**answer, "client_secret": _beta_secret(secret)}

    return [
        Route("/v1/realtime/client_secrets", endpoint(client_secrets), methods=["POST"]),
        Route("/v1/realtime/sessions", endpoint(beta_sessions), methods=["POST"]),
        Route(
            "/v1/realtime/transcription_sessions",
            endpoint(beta_transcription_sessions),
            methods=["POST"],
        ),
    ]


def _beta_secret(secret: ClientSecret) -> JsonObject:
    return {"value": secret.value, "expires_at": secret.expires_at}
