from __future__ import annotations

import base64

import pytest

from openrealtime.audio import (
    G711_ULAW,
    PCM16,
    InvalidBase64Error,
    b64_audio_chunks,
    b64decode,
    b64encode,
    split_audio,
)


@pytest.mark.parametrize("data", [b"", b"\x00", b"ab", b"abc", bytes(range(256))])
def test_round_trip_matches_stdlib(data: bytes) -> None:
    text = b64encode(data)
    assert text == base64.b64encode(data).decode()
    assert b64decode(text) == data
    assert b64decode(text.encode()) == data


@pytest.mark.parametrize(
    "text", ["abc", "ab=c", "a b=", "ab\n==", "@@@@", "YWJj====", "YWJj=", "é"]
)
def test_invalid_base64_is_refused(text: str) -> None:
    with pytest.raises(InvalidBase64Error, match=r"^Invalid base64"):
        b64decode(text)
    assert issubclass(InvalidBase64Error, ValueError)


def test_split_audio_in_ms_pieces() -> None:
    pcm = bytes(PCM16.bytes_for_ms(250))
    assert [len(p) for p in split_audio(pcm, PCM16, 100)] == [4800, 4800, 2400]
    ulaw = bytes(G711_ULAW.bytes_for_ms(40))
    assert [len(p) for p in split_audio(ulaw, G711_ULAW, 20)] == [160, 160]
    assert list(split_audio(b"", PCM16, 20)) == []
    with pytest.raises(ValueError, match="at least one sample"):
        list(split_audio(pcm, PCM16, 0))


def test_b64_audio_chunks_decode_back() -> None:
    pcm = bytes(range(256)) * 40
    chunks = list(b64_audio_chunks(pcm, PCM16, 50))
    assert [len(b64decode(c)) for c in chunks] == [2400, 2400, 2400, 2400, 640]
    assert b"".join(b64decode(c) for c in chunks) == pcm
