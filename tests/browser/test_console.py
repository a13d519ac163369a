"""The console page in headless Chromium: voice, text, barge-in, the session panel, keys."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from .harness import API_KEY, Console, Server, silence, speech, wav

pytest.importorskip(
    "playwright", reason="Playwright for Python is missing: pip install -e '.[dev]'"
)

from playwright.sync_api import expect

FRAME_MS = 20
APPEND_BYTES = 24000 * 2 * FRAME_MS // 1000  # 20 ms of 24 kHz PCM16
OpenConsole = Callable[..., Console]


@pytest.fixture(scope="module")
def hello_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Half a second of silence, "hello", then silence."""
    folder = tmp_path_factory.mktemp("audio")
    return wav(folder / "hello.wav", silence(500), speech("hello"), silence(4000))


@pytest.fixture(scope="module")
def barge_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A question, then, while the reply (2.2 s of speech) plays, the user talks over it."""
    folder = tmp_path_factory.mktemp("audio")
    return wav(
        folder / "barge.wav",
        silence(500),
        speech("please tell me a long story"),
        silence(1500),
        speech("stop"),
        silence(4000),
    )


def bubble(console: Console, role: str, index: int = 0) -> Any:
    return console.page.locator(f'#transcript .bubble[data-role="{role}"]').nth(index)


def in_order(sequence: list[str], expected: list[str]) -> bool:
    """Whether ``expected`` appears in ``sequence`` in this order (others may come between)."""
    remaining = iter(sequence)
    return all(kind in remaining for kind in expected)


def listening(console: Console) -> None:
    expect(console.page.locator("#state")).to_have_attribute(
        "data-state", "listening", timeout=10_000
    )


def played_to_the_end(console: Console, role_index: int = 0) -> int:
    reply = bubble(console, "assistant", role_index)
    console.wait_for(
        lambda: (
            reply.get_attribute("data-received-ms") not in (None, "0")
            and reply.get_attribute("data-played-ms") == reply.get_attribute("data-received-ms")
        )
    )
    return int(reply.get_attribute("data-received-ms") or 0)


def test_a_spoken_turn_shows_both_sides_and_plays_the_reply(
    open_console: OpenConsole, server: Server, hello_wav: Path
) -> None:
    console = open_console(server.console_url, hello_wav)
    listening(console)
    console.page.click("#mic")
    expect(bubble(console, "user").locator(".text")).to_have_text("hello", timeout=15_000)
    expect(bubble(console, "assistant").locator(".text")).to_have_text("You said: hello")
    # 15 characters of tone code at 60 ms each: all of it arrived and was played.
    assert played_to_the_end(console) == 900
    listening(console)

    # The microphone went out as 20 ms appends of 24 kHz PCM16.
    appends = console.sent("input_audio_buffer.append")
    assert len(appends) > 50
    assert {len(base64.b64decode(event["audio"])) for event in appends} == {APPEND_BYTES}

    # The page's log shows every event of the turn, in order, both ways.
    log = console.log()
    assert ("out", "input_audio_buffer.append") in log
    received = [kind for direction, kind in log if direction == "in"]
    assert in_order(
        received,
        [
            "session.created",
            "session.updated",
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
            "conversation.item.added",
            "response.created",
            "response.output_item.added",
            "response.output_audio.delta",
            "response.output_audio.done",
            "response.output_item.done",
            "response.done",
        ],
    )
    assert in_order(
        received,
        ["input_audio_buffer.committed", "conversation.item.input_audio_transcription.completed"],
    )
    assert received == [f.event["type"] for f in console.frames if f.direction == "received"]

    # Input transcription was turned on by the page itself.
    update = console.sent("session.update")[0]
    assert update["session"]["audio"]["input"]["transcription"] == {"model": "whisper-1"}

    # A row opens to its JSON; audio is shown by its length, not its base64.
    shown = console.shown("input_audio_buffer.speech_stopped")
    assert shown == console.received("input_audio_buffer.speech_stopped")
    console.page.check("#show-chunks")
    chunk = console.page.locator('#event-list li[data-type="response.output_audio.delta"]').first
    chunk.locator("summary").click()
    assert re.search(r'"delta": "<\d+ base64 chars>"', chunk.locator("pre").inner_text())

    # Filtering by type hides the other rows.
    console.page.fill("#event-filter", "speech_")
    visible = console.page.locator("#event-list li:visible")
    expect(visible).to_have_count(2)
    console.page.fill("#event-filter", "")

    # Latency of the turn: speech end, then the transcript, then the first audio.
    cells = console.page.locator("#latency tbody tr").first.locator("td")
    expect(cells.nth(1)).to_have_text("voice")
    transcript_ms = int(cells.nth(2).get_attribute("data-ms") or -1)
    reply_ms = int(cells.nth(3).get_attribute("data-ms") or -1)
    assert 0 <= transcript_ms < 5000
    assert 0 <= reply_ms < 5000


def test_without_turn_detection_the_microphone_is_push_to_talk(
    open_console: OpenConsole, server: Server, hello_wav: Path
) -> None:
    console = open_console(server.console_url, hello_wav)
    listening(console)
    page = console.page
    page.select_option("#s-turn", "none")
    page.click("#s-apply")
    console.wait_for(lambda: len(console.received("session.updated")) == 2)
    assert (
        console.received("session.updated")[-1]["session"]["audio"]["input"]["turn_detection"]
        is None
    )

    page.click("#mic")  # pressed: the user holds the turn
    expect(page.locator("#mic")).to_have_attribute("aria-pressed", "true")
    # Past the half second of silence and the word (5 characters of tone code, 300 ms).
    console.wait_for(lambda: len(console.sent("input_audio_buffer.append")) >= 75)
    assert not console.sent("input_audio_buffer.commit")
    page.click("#mic")  # released: the turn ends here, not at a silence
    expect(page.locator("#mic")).to_have_attribute("aria-pressed", "false")

    expect(bubble(console, "user").locator(".text")).to_have_text("hello", timeout=15_000)
    expect(bubble(console, "assistant").locator(".text")).to_have_text("You said: hello")
    sent = [f.event["type"] for f in console.frames if f.direction == "sent"]
    assert sent[-2:] == ["input_audio_buffer.commit", "response.create"]
    assert not console.received("input_audio_buffer.speech_started")
    assert in_order(
        [kind for direction, kind in console.log() if direction == "in"],
        ["input_audio_buffer.committed", "conversation.item.added", "response.created"],
    )
    assert played_to_the_end(console) == 60 * len("You said: hello")


def test_a_text_turn_through_the_text_input(open_console: OpenConsole, server: Server) -> None:
    console = open_console(server.console_url)
    listening(console)
    console.page.fill("#text", "hi there")
    console.page.press("#text", "Enter")
    expect(bubble(console, "user").locator(".text")).to_have_text("hi there")
    expect(console.page.locator("#state")).to_have_attribute(
        "data-state", "speaking", timeout=10_000
    )
    expect(bubble(console, "assistant").locator(".text")).to_have_text("You said: hi there")
    assert played_to_the_end(console) == 60 * len("You said: hi there")
    listening(console)
    created = console.sent("conversation.item.create")[0]
    assert created["item"]["content"] == [{"type": "input_text", "text": "hi there"}]
    assert console.sent("response.create")
    assert (
        console.page.locator("#latency tbody tr").first.locator("td").nth(1).inner_text() == "text"
    )


def test_speech_over_the_reply_truncates_at_the_played_position(
    open_console: OpenConsole, server: Server, barge_wav: Path
) -> None:
    console = open_console(server.console_url, barge_wav)
    listening(console)
    console.page.click("#mic")
    console.wait_for(lambda: bool(console.sent("conversation.item.truncate")), timeout=20)
    truncate = console.sent("conversation.item.truncate")[0]
    reply = console.received("response.output_item.added")[0]["item"]["id"]
    assert truncate["item_id"] == reply
    assert truncate["content_index"] == 0

    frames = console.frames
    first_audio = next(f for f in frames if f.event["type"] == "response.output_audio.delta")
    barge = next(
        f
        for f in frames
        if f.event["type"] == "input_audio_buffer.speech_started" and f.at > first_audio.at
    )
    received_ms = sum(
        len(base64.b64decode(f.event["delta"])) / 48
        for f in frames
        if f.event["type"] == "response.output_audio.delta"
        and f.event["item_id"] == reply
        and f.at < barge.at
    )
    # The player's own count of the samples it output when it stopped: the played position.
    (stopped,) = console.shown("console.playback.stopped")
    assert stopped["item_id"] == reply
    assert truncate["audio_end_ms"] == math.floor(stopped["played_ms"])
    # Never past the audio received; cut while the reply was still playing.
    assert stopped["received_ms"] <= received_ms + 1
    assert truncate["audio_end_ms"] <= stopped["received_ms"]
    assert 0 < truncate["audio_end_ms"] < 60 * len("You said: please tell me a long story")
    # Within one frame of when the user started speaking: the player stopped at most
    # 20 ms of audio after the page saw speech_started, and the played position fits
    # the wall clock between the first audio and the barge-in (playback cannot run
    # ahead of time).
    assert 0 <= stopped["stop_delay_ms"] <= FRAME_MS
    elapsed_ms = (barge.at - first_audio.at) * 1000
    assert elapsed_ms - 150 <= truncate["audio_end_ms"] <= elapsed_ms + 2 * FRAME_MS

    # The server confirms the cut, and the transcript shows the words heard.
    console.wait_for(lambda: bool(console.received("conversation.item.retrieved")))
    truncated = console.received("conversation.item.truncated")[0]
    assert truncated["audio_end_ms"] == truncate["audio_end_ms"]
    cut = bubble(console, "assistant")
    assert cut.get_attribute("data-truncated-ms") == str(truncate["audio_end_ms"])
    spoken = console.received("conversation.item.retrieved")[0]["item"]["content"][0]["transcript"]
    expect(cut.locator(".text")).to_have_text(spoken)
    assert "You said: please tell me a long story".startswith(spoken)
    # The interruption is the next turn: the user's "stop" gets its own reply.
    expect(bubble(console, "user", 1).locator(".text")).to_have_text("stop", timeout=10_000)
    expect(bubble(console, "assistant", 1).locator(".text")).to_have_text("You said: stop")


def test_the_session_panel_round_trips_through_session_updated(
    open_console: OpenConsole, server: Server
) -> None:
    console = open_console(server.console_url)
    listening(console)
    page = console.page
    expect(page.locator("#s-status")).to_contain_text("session.updated")
    assert page.locator("#s-transcribe").is_checked()

    # A bad tools field is refused in the page: nothing is sent.
    page.fill("#s-tools", "[{not json")
    page.click("#s-apply")
    expect(page.locator("#s-error")).to_contain_text("Tools: not valid JSON")
    assert len(console.sent("session.update")) == 1

    tool = {
        "type": "function",
        "name": "get_time",
        "description": "The time now.",
        "parameters": {"type": "object", "properties": {}},
    }
    page.fill("#s-instructions", "Be brief.")
    page.fill("#s-voice", "verse")
    page.select_option("#s-modality", "text")
    page.fill("#s-silence", "400")
    page.fill("#s-threshold", "0.6")
    page.fill("#s-tools", json.dumps([tool]))
    page.click("#s-apply")
    console.wait_for(lambda: len(console.received("session.updated")) == 2)
    sent = console.sent("session.update")[-1]["session"]
    assert sent["instructions"] == "Be brief."
    assert sent["output_modalities"] == ["text"]
    assert sent["audio"]["output"] == {"voice": "verse"}
    assert sent["audio"]["input"]["turn_detection"]["silence_duration_ms"] == 400
    reported = console.received("session.updated")[-1]["session"]
    assert reported["instructions"] == "Be brief."
    assert reported["audio"]["input"]["turn_detection"]["threshold"] == 0.6
    assert reported["tools"] == [tool]
    # The panel shows what the server reported.
    expect(page.locator("#s-error")).to_be_hidden()
    assert page.input_value("#s-instructions") == reported["instructions"]
    assert page.input_value("#s-voice") == reported["audio"]["output"]["voice"] == "verse"
    assert page.input_value("#s-modality") == "text"
    assert page.input_value("#s-silence") == "400"
    assert json.loads(page.input_value("#s-tools")) == reported["tools"]

    # The new session in use: a text reply streams as text, and the tool can be called.
    page.fill("#text", "/call get_time {}")
    page.press("#text", "Enter")
    expect(bubble(console, "tool").locator(".text")).to_have_text("get_time({})")
    page.fill("#text", "ping")
    page.press("#text", "Enter")
    expect(bubble(console, "assistant").locator(".text")).to_have_text("You said: ping")
    assert console.received("response.output_text.delta")
    assert not console.received("response.output_audio.delta")

    # A setting the server refuses comes back as its error, with its code, in the panel.
    page.fill("#s-tools", json.dumps([{"type": "function"}]))
    page.click("#s-apply")
    error = console.page.locator("#s-error")
    expect(error).to_contain_text("missing_required_parameter")
    expect(page.locator("#error")).to_contain_text("missing_required_parameter")


def test_with_api_keys_the_console_needs_its_token(
    open_console: OpenConsole, keyed_server: Server
) -> None:
    console = open_console(keyed_server.console_url)
    listening(console)
    console.page.fill("#text", "hello")
    console.page.press("#text", "Enter")
    expect(bubble(console, "assistant").locator(".text")).to_have_text("You said: hello")
    assert API_KEY not in console.page.content()

    # Without the token the endpoint refuses, and the page says so with the code.
    refused = httpx.post(f"{keyed_server.origin}/console/session", timeout=5)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_console_token"
    assert "client_secret" not in refused.text
    tokenless = open_console(keyed_server.origin + "/")
    # Chromium reports the refused request itself; that line is the only one allowed.
    tokenless.allowed_errors.append("status of 401")
    expect(tokenless.page.locator("#state")).to_have_attribute("data-state", "error")
    expect(tokenless.page.locator("#error")).to_contain_text("invalid_console_token")
    expect(tokenless.page.locator("#error")).to_contain_text("console URL")
    assert tokenless.frames == []
