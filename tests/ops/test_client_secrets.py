"""Ephemeral keys: minted over REST, bound to a dialect, a model and a lifetime."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest
import pytest_asyncio
from openai import AsyncOpenAI
from openai.types.beta.realtime import SessionCreateResponse
from openai.types.realtime import ClientSecretCreateResponse
from pydantic import TypeAdapter
from starlette.applications import Starlette

from openrealtime.engines import Capabilities
from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import scripted_engines
from openrealtime.protocol import ga
from openrealtime.server import ServerConfig, create_app
from openrealtime.server.app.client_secrets import ClientSecretStore, StoreFull
from openrealtime.server.app.runner import ServerURL, running

from .wire import first_event, until_closed

KEY = "sk-test-0123456789abcdefAAAA"
BETA = {"OpenAI-Beta": "realtime=v1"}


class Server:
    def __init__(self, url: ServerURL, app: Starlette) -> None:
        self.url, self.app = url, app

    def sdk(self, key: str = KEY) -> AsyncOpenAI:
        return AsyncOpenAI(api_key=key, base_url=self.url.http, websocket_base_url=self.url)

    async def post(self, path: str, body: Any, key: str | None = KEY) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with httpx.AsyncClient() as client:
            return await client.post(f"{self.url.http}{path}", json=body, headers=headers)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    config = ServerConfig(api_keys=(KEY,))
    app = create_app(config)
    async with running(config, app=app) as url:
        yield Server(url, app)


def bearer(token: str, *, beta: bool = False) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **(BETA if beta else {})}


async def test_a_ga_secret_opens_sessions_with_its_configuration(server: Server) -> None:
    minted = await server.sdk().realtime.client_secrets.create(
        session={
            "type": "realtime",
            "model": "gpt-realtime",
            "instructions": "Answer in French.",
            "audio": {"output": {"voice": "marin"}},
        }
    )
    TypeAdapter(ClientSecretCreateResponse).validate_python(minted.model_dump())
    assert minted.value.startswith("ek_")
    assert abs(minted.expires_at - (time.time() + 600)) < 5
    assert minted.session.instructions == "Answer in French."
    # One secret opens several sessions, each starting from its configuration.
    for _ in range(2):
        event, _ = await first_event(server.url.realtime(), headers=bearer(minted.value))
        assert event["type"] == "session.created"
        assert event["session"]["instructions"] == "Answer in French."
        assert event["session"]["audio"]["output"]["voice"] == "marin"


@pytest.mark.spec("11.2")
async def test_a_secret_reports_the_instructions_its_engines_suggest() -> None:
    engines = scripted_engines()
    engines.responder.capabilities = Capabilities(default_instructions="Be a small model.")
    config = ServerConfig(api_keys=(KEY,), models=ModelRegistry.with_engines(engines))
    async with running(config, app=create_app(config)) as url:
        server = Server(url, Starlette())
        minted = await server.sdk().realtime.client_secrets.create(session={"type": "realtime"})
        assert minted.session.instructions == "Be a small model."
        event, _ = await first_event(server.url.realtime(), headers=bearer(minted.value))
        assert event["session"]["instructions"] == "Be a small model."


async def test_the_official_sdk_connects_with_a_secret(server: Server) -> None:
    minted = await server.sdk().realtime.client_secrets.create(
        session={"type": "realtime", "instructions": "Be brief."}
    )
    client = server.sdk(key=minted.value)
    async with client.realtime.connect(model="gpt-realtime") as connection:
        event = await connection.recv()
    assert event.type == "session.created"
    assert event.session.instructions == "Be brief."


async def test_a_beta_secret_opens_a_beta_session(server: Server) -> None:
    minted = await server.sdk().beta.realtime.sessions.create(
        model="gpt-4o-realtime-preview", instructions="Be brief.", voice="verse"
    )
    TypeAdapter(SessionCreateResponse).validate_python(minted.model_dump())
    assert minted.client_secret.value.startswith("ek_")
    assert abs(minted.client_secret.expires_at - (time.time() + 60)) < 5
    assert minted.voice == "verse"
    event, _ = await first_event(
        server.url.realtime("gpt-4o-realtime-preview"),
        headers=bearer(minted.client_secret.value, beta=True),
    )
    assert event["type"] == "session.created"
    assert event["session"]["instructions"] == "Be brief."
    assert event["session"]["voice"] == "verse"


async def test_a_beta_transcription_secret_opens_a_transcription_session(server: Server) -> None:
    response = await server.post(
        "/realtime/transcription_sessions",
        {"input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "fr"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "realtime.transcription_session"
    assert body["input_audio_transcription"]["language"] == "fr"
    event, _ = await first_event(
        f"{server.url}/realtime", headers=bearer(body["client_secret"]["value"], beta=True)
    )
    assert event["type"] == "transcription_session.created"
    assert event["session"]["input_audio_transcription"]["language"] == "fr"


async def test_a_ga_transcription_secret_needs_no_intent_and_refuses_a_model(
    server: Server,
) -> None:
    response = await server.post(
        "/realtime/client_secrets",
        {"session": {"type": "transcription", "audio": {"input": {"transcription": None}}}},
    )
    value = response.json()["value"]
    event, _ = await first_event(f"{server.url}/realtime", headers=bearer(value))
    assert event["session"]["type"] == "transcription"
    closed = await until_closed(server.url.realtime(), headers=bearer(value))
    assert closed.events[0]["error"]["param"] == "intent"
    assert (closed.code, closed.reason) == (4000, "invalid_request_error.invalid_value")


async def test_a_secret_works_only_with_its_model(server: Server) -> None:
    response = await server.post(
        "/realtime/client_secrets", {"session": {"type": "realtime", "model": "gpt-realtime"}}
    )
    value = response.json()["value"]
    closed = await until_closed(
        server.url.realtime("gpt-4o-realtime-preview"), headers=bearer(value)
    )
    assert closed.events[0]["error"]["code"] == "invalid_model"
    assert (closed.code, closed.reason) == (4000, "invalid_request_error.invalid_model")
    event, _ = await first_event(f"{server.url}/realtime", headers=bearer(value))
    assert event["session"]["model"] == "gpt-realtime"


async def test_a_secret_works_only_in_its_dialect(server: Server) -> None:
    ga_secret = (await server.post("/realtime/client_secrets", {})).json()["value"]
    beta_secret = (await server.post("/realtime/sessions", {})).json()["client_secret"]["value"]
    for value, beta in ((ga_secret, True), (beta_secret, False)):
        closed = await until_closed(server.url.realtime(), headers=bearer(value, beta=beta))
        assert closed.events[0]["error"]["code"] == "invalid_api_key"
        assert (closed.code, closed.reason) == (3000, "invalid_request_error.invalid_api_key")


async def test_an_expired_secret_is_an_invalid_key(server: Server) -> None:
    response = await server.post("/realtime/client_secrets", {"expires_after": {"seconds": 10}})
    value = response.json()["value"]
    store = server.app.state.auth.secrets
    store.clock = lambda: time.time() + 11
    closed = await until_closed(server.url.realtime(), headers=bearer(value))
    assert closed.events[0]["error"]["code"] == "invalid_api_key"
    assert closed.code == 3000
    assert len(store) == 0


@pytest.mark.parametrize(
    ("path", "body", "param", "code"),
    [
        ("/realtime/client_secrets", {"session": {"type": "realtime", "bogus": 1}},
         "session.bogus", "unknown_parameter"),
        ("/realtime/client_secrets", {"expires_after": {"seconds": 5}},
         "expires_after.seconds", "integer_below_min_value"),
        ("/realtime/client_secrets", {"expires_after": {"anchor": "now"}},
         "expires_after.anchor", "invalid_value"),
        ("/realtime/client_secrets", {"session": {"model": "gpt-realtime"}},
         "session.type", "missing_required_parameter"),
        ("/realtime/client_secrets", {"session": {"type": "realtime", "model": "gpt-nope"}},
         "session.model", "invalid_model"),
        ("/realtime/sessions", {"bogus": 1}, "bogus", "unknown_parameter"),
        ("/realtime/sessions", {"model": "gpt-nope"}, "model", "invalid_model"),
        ("/realtime/sessions", {"client_secret": {"expires_after": {"seconds": 9000}}},
         "client_secret.expires_after.seconds", "integer_above_max_value"),
        ("/realtime/transcription_sessions", {"voice": "alloy"}, "voice", "unknown_parameter"),
    ],
)  # fmt: skip
async def test_bad_bodies_get_openais_rest_error(
    server: Server, path: str, body: dict[str, Any], param: str, code: str
) -> None:
    response = await server.post(path, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)


async def test_minting_needs_a_real_api_key(server: Server) -> None:
    missing = await server.post("/realtime/client_secrets", {}, key=None)
    assert missing.status_code == 401
    assert missing.json()["error"]["message"] == "Missing bearer or basic authentication in header"
    value = (await server.post("/realtime/client_secrets", {})).json()["value"]
    with pytest.raises(openai.AuthenticationError) as raised:
        await server.sdk(key=value).realtime.client_secrets.create()
    assert raised.value.code == "invalid_api_key"


def test_the_store_is_bounded_and_purges_expired_secrets() -> None:
    now = [1000.0]
    store = ClientSecretStore(capacity=2, clock=lambda: now[0])

    def mint(ttl: int) -> str:
        return store.mint(
            ttl_seconds=ttl,
            dialect="ga",
            kind="realtime",
            model=None,
            config=ga.RealtimeSession(),
            key_index=None,
        ).value

    short, long = mint(10), mint(100)
    with pytest.raises(StoreFull):
        mint(10)
    now[0] += 10
    assert store.get(short) is None
    assert store.get(long) is not None
    mint(10)
    assert len(store) == 2
