"""``openrealtime serve`` operations flags: each user error is one stderr line."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from openrealtime import cli
from openrealtime.server import EngineTimeouts
from openrealtime.server.app.serve import build_config, keys_from_env
from openrealtime.server.config import ServeOptions


def fail_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    monkeypatch.setattr("sys.argv", ["openrealtime", "serve", *args])
    monkeypatch.delenv("OPENREALTIME_API_KEYS", raising=False)
    with pytest.raises(SystemExit) as raised:
        cli.main()
    assert raised.value.code != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("openrealtime: ")
    return lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--max-sessions", "many"], "--max-sessions"),
        (["--max-sessions", "0"], "--max-sessions must be at least 1"),
        (["--max-sessions-per-key", "-1"], "--max-sessions-per-key must be at least 1"),
        (["--ssl-certfile", "/nonexistent/cert.pem"], "no such file: /nonexistent/cert.pem"),
        (["--ssl-keyfile", "key.pem"], "--ssl-keyfile needs --ssl-certfile"),
        (["--host", "0.0.0.0"], "refusing to serve 0.0.0.0 without API keys"),
        (["--host", "example.com"], "--insecure"),
        (["--api-key", " "], "--api-key must not be empty"),
        (["--no-such-flag"], "No such option: --no-such-flag"),
    ],
)
def test_bad_operations_flags_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needle: str,
) -> None:
    assert needle in fail_line(monkeypatch, capsys, *args)


def test_a_certificate_that_does_not_load_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "cert.pem"
    bad.write_text("not a certificate")
    assert "cannot load the certificate" in fail_line(
        monkeypatch, capsys, "--ssl-certfile", str(bad)
    )


def test_good_operations_flags_reach_the_config(tmp_path: Path) -> None:
    issued = trustme.CA().issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    config = build_config(
        ServeOptions(
            host="0.0.0.0",
            api_keys=keys_from_env({"OPENREALTIME_API_KEYS": " sk-a , ,sk-b"}),
            ssl_certfile=cert,
            ssl_keyfile=key,
            max_sessions=10,
            max_sessions_per_key=2,
            trace_events=True,
            lenient=True,
        )
    )
    assert config.api_keys == ("sk-a", "sk-b")
    assert "sk-a" not in repr(config)
    assert (config.max_sessions, config.max_sessions_per_key) == (10, 2)
    assert (config.ssl_certfile, config.ssl_keyfile) == (cert, key)
    assert config.trace_events
    assert config.lenient_fields


def test_insecure_serves_a_public_host_without_keys() -> None:
    assert build_config(ServeOptions(host="0.0.0.0", insecure=True)).api_keys == ()
    assert build_config(ServeOptions(host="::1")).api_keys == ()


def test_engine_timeout_sets_every_engine_limit() -> None:
    assert build_config(ServeOptions()).session.engine_timeouts == EngineTimeouts()
    timeouts = build_config(ServeOptions(engine_timeout=5)).session.engine_timeouts
    assert timeouts == EngineTimeouts(first_output=5, between_outputs=5, transcription=5)
    unlimited = build_config(ServeOptions(engine_timeout=0)).session.engine_timeouts
    assert unlimited == EngineTimeouts(None, None, None)
    with pytest.raises(ValueError, match="--engine-timeout must be 0"):
        build_config(ServeOptions(engine_timeout=-1))


def test_security_flags_reach_the_config() -> None:
    config = build_config(
        ServeOptions(
            allowed_origins=["https://app.example"],
            max_sessions_per_secret=2,
            requests_per_minute=30,
            tokens_per_minute=9000,
        )
    )
    assert config.allowed_origins == ("https://app.example",)
    assert config.max_sessions_per_secret == 2
    assert (config.session.requests_per_minute, config.session.tokens_per_minute) == (30, 9000)
    assert build_config(ServeOptions()).allowed_origins is None
    with pytest.raises(ValueError, match="--requests-per-minute must be at least 1"):
        build_config(ServeOptions(requests_per_minute=0))
