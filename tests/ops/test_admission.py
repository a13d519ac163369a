"""Admission: server-wide and per-key caps on concurrent sessions."""

from __future__ import annotations

import asyncio
import json

import httpx
import websockets

from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running

from .wire import TIMEOUT, first_event, until_closed

KEY_A = "sk-key-a-0123456789abcdefAAAA"
KEY_B = "sk-key-b-0123456789abcdefBBBB"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def assert_refused(url: ServerURL, token: str, holder: str, limit: int) -> None:
    closed = await until_closed(url.realtime(), headers=bearer(token))
    assert closed.types() == ["error"]
    assert closed.events[0]["error"]["code"] == "session_limit_reached"
    assert closed.events[0]["error"]["message"] == (
        f"{holder} already has {limit} open sessions, the most allowed. Try again later."
    )
    assert (closed.code, closed.reason) == (1013, "invalid_request_error.session_limit_reached")


async def test_sessions_past_max_sessions_are_refused_1013() -> None:
    async with running(ServerConfig(max_sessions=1)) as url:
        async with asyncio.timeout(TIMEOUT), websockets.connect(url.realtime()) as first:
            assert json.loads(await first.recv())["type"] == "session.created"
            await assert_refused(url, "anything", "This server", 1)
        # Once the first session is gone, there is room again.
        async with asyncio.timeout(TIMEOUT):
            while (await first_event(url.realtime()))[0]["type"] != "session.created":
                await asyncio.sleep(0.05)


async def test_each_key_has_its_own_cap_and_its_secrets_count_against_it() -> None:
    config = ServerConfig(api_keys=(KEY_A, KEY_B), max_sessions_per_key=1)
    async with running(config) as url:
        async with httpx.AsyncClient() as http:
            minted = await http.post(
                f"{url.http}/realtime/client_secrets", json={}, headers=bearer(KEY_A)
            )
        secret = minted.json()["value"]
        async with (
            asyncio.timeout(TIMEOUT),
            websockets.connect(url.realtime(), additional_headers=bearer(KEY_A)) as first,
        ):
            assert json.loads(await first.recv())["type"] == "session.created"
            await assert_refused(url, KEY_A, "This API key", 1)
            await assert_refused(url, secret, "This API key", 1)
            async with websockets.connect(url.realtime(), additional_headers=bearer(KEY_B)) as b:
                assert json.loads(await b.recv())["type"] == "session.created"
