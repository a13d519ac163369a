"""API keys: where they come from, how failures look, and what is never echoed."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from openai import AsyncOpenAI

from openrealtime.server import ServerConfig
from openrealtime.server.app.auth import KeyRing
from openrealtime.server.app.runner import ServerURL, running
from openrealtime.server.session.errors import mask_key

from .wire import first_event, until_closed

KEY = "sk-test-0123456789abcdefAAAA"
OTHER_KEY = "sk-other-key-9876543210ZZZZ"


@pytest_asyncio.fixture
async def keyed_url() -> AsyncIterator[ServerURL]:
    async with running(ServerConfig(api_keys=(KEY, OTHER_KEY))) as url:
        yield url


@pytest.mark.spec("12.1")
@pytest.mark.parametrize("how", ["header", "subprotocol"])
async def test_a_wrong_key_is_one_error_then_close_3000(keyed_url: ServerURL, how: str) -> None:
    wrong = "sk-wrong-key-0000000000BBBB"
    if how == "header":
        closed = await until_closed(
            keyed_url.realtime(), headers={"Authorization": f"Bearer {wrong}"}
        )
    else:
        closed = await until_closed(
            keyed_url.realtime(),
            subprotocols=["realtime", f"openai-insecure-api-key.{wrong}"],
        )
    assert closed.types() == ["error"]
    assert closed.events[0]["error"] == {
        "type": "invalid_request_error",
        "code": "invalid_api_key",
        "message": "Incorrect API key provided: sk-…BBBB. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "param": None,
        "event_id": None,
    }
    assert (closed.code, closed.reason) == (3000, "invalid_request_error.invalid_api_key")


@pytest.mark.spec("12.2")
async def test_no_credentials_is_one_error_then_close_3000(keyed_url: ServerURL) -> None:
    closed = await until_closed(keyed_url.realtime())
    assert closed.types() == ["error"]
    error = closed.events[0]["error"]
    assert error["code"] is None
    assert error["message"] == "Missing bearer or basic authentication in header"
    assert (closed.code, closed.reason) == (3000, "invalid_request_error")


async def test_auth_is_checked_before_the_model(keyed_url: ServerURL) -> None:
    closed = await until_closed(f"{keyed_url}/realtime?model=gpt-nope")
    assert (closed.code, closed.reason) == (3000, "invalid_request_error")


@pytest.mark.parametrize("key", [KEY, OTHER_KEY])
async def test_every_configured_key_opens_a_session(keyed_url: ServerURL, key: str) -> None:
    event, _ = await first_event(keyed_url.realtime(), headers={"Authorization": f"Bearer {key}"})
    assert event["type"] == "session.created"


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["realtime", f"openai-insecure-api-key.{KEY}"], "realtime"),
        ([f"openai-insecure-api-key.{KEY}", "openai-beta.realtime-v1"], "openai-beta.realtime-v1"),
    ],
)
async def test_the_key_subprotocol_opens_a_session_and_is_never_echoed(
    keyed_url: ServerURL, offered: list[str], chosen: str
) -> None:
    event, subprotocol = await first_event(keyed_url.realtime(), subprotocols=offered)
    assert event["type"] == "session.created"
    assert subprotocol == chosen


async def test_the_official_sdk_authenticates_with_its_api_key(keyed_url: ServerURL) -> None:
    client = AsyncOpenAI(api_key=KEY, websocket_base_url=keyed_url)
    async with client.realtime.connect(model="gpt-realtime") as connection:
        event = await connection.recv()
    assert event.type == "session.created"


async def test_an_open_server_takes_any_token_but_a_dead_client_secret() -> None:
    async with running() as url:
        event, _ = await first_event(url.realtime(), headers={"Authorization": "Bearer anything"})
        assert event["type"] == "session.created"
        event, _ = await first_event(url.realtime())
        assert event["type"] == "session.created"
        closed = await until_closed(
            url.realtime(), headers={"Authorization": "Bearer ek_0123456789abcdef"}
        )
    assert closed.events[0]["error"]["code"] == "invalid_api_key"
    assert closed.code == 3000


def test_keys_are_masked_as_openai_masks_them() -> None:
    assert mask_key("sk-proj-abcdefghijklmnopqrstuvwxyzAAAA") == "sk-…AAAA"
    assert mask_key("short") == "****"
    assert "short" not in mask_key("short")


def test_a_key_lookup_compares_against_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    compare = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(a)
        return compare(a, b)

    monkeypatch.setattr("openrealtime.server.app.auth.hmac.compare_digest", counting)
    ring = KeyRing(["first", "second", "third"])
    assert ring.match("first") == 0
    assert len(calls) == 3
    assert ring.match("third") == 2
    assert ring.match("none") is None
    assert len(calls) == 9
