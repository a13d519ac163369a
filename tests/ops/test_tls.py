"""TLS: the server serves wss:// and https:// with a certificate, for clients that need it."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import trustme
from openai import AsyncOpenAI

from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running

KEY = "sk-test-0123456789abcdefAAAA"


def certificate(tmp_path: Path) -> tuple[ServerConfig, ssl.SSLContext]:
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in issued.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    issued.private_key_pem.write_to_path(str(keyfile))
    client = ssl.create_default_context()
    authority.configure_trust(client)
    config = ServerConfig(api_keys=(KEY,), ssl_certfile=certfile, ssl_keyfile=keyfile)
    return config, client


async def test_the_official_sdk_connects_over_wss(tmp_path: Path) -> None:
    config, client_context = certificate(tmp_path)
    async with running(config) as url:
        assert url.startswith("wss://127.0.0.1:")
        client = AsyncOpenAI(api_key=KEY, base_url=url.http, websocket_base_url=url)
        async with client.realtime.connect(
            model="gpt-realtime", websocket_connection_options={"ssl": client_context}
        ) as connection:
            event = await connection.recv()
        assert event.type == "session.created"
        async with httpx.AsyncClient(verify=client_context) as http:
            minted = await http.post(
                f"{url.http}/realtime/client_secrets",
                json={},
                headers={"Authorization": f"Bearer {KEY}"},
            )
        assert url.http.startswith("https://")
        assert minted.status_code == 200
        assert minted.json()["value"].startswith("ek_")
