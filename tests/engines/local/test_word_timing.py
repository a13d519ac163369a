"""Word timings: alignments when the voice gives them, else shared out by phoneme."""

from __future__ import annotations

import importlib.util
import statistics

import numpy as np
import pytest

from openrealtime.engines.local.piper import PiperSynthesizer
from openrealtime.engines.local.word_timing import PhonemeChunk, Span, word_spans
from tests.local_stack import require_local_stack

RATE = 22050


def chunk(phonemes: str, alignments: list[tuple[str, int]] | None = None) -> PhonemeChunk:
    length = sum(n for _, n in alignments) if alignments else 1000
    return PhonemeChunk(np.ones(length, np.float32), RATE, list(phonemes), alignments)


def no_phonemizer(text: str) -> list[list[str]]:
    raise AssertionError(f"not needed: {text}")


def test_aligned_words_run_from_their_first_to_their_last_phoneme() -> None:
    aligned = chunk(
        "hi yo.",
        [("^", 100), ("h", 10), ("i", 20), (" ", 5), ("y", 30), ("o", 40), (".", 50), ("$", 7)],
    )
    assert word_spans(["Hi", "yo."], [aligned], no_phonemizer) == [
        Span(100, 130),
        Span(135, 205),
    ]


def test_a_word_that_speaks_as_two_takes_both() -> None:
    aligned = chunk(
        "a fo tu",
        [("^", 0), ("a", 10), (" ", 0), ("f", 10), ("o", 10), (" ", 0), ("t", 10), ("u", 10)],
    )

    def phonemize(word: str) -> list[list[str]]:
        return [list("fo tu")] if word == "42" else [list(word.lower())]

    assert word_spans(["A", "42"], [aligned], phonemize) == [Span(0, 10), Span(10, 50)]


def test_without_alignments_the_voiced_audio_is_shared_by_symbols() -> None:
    audio = np.zeros(4000, np.float32)
    audio[1000:3000] = 0.5
    plain = PhonemeChunk(audio, RATE, list("ab cd."))
    spans = word_spans(["ab", "cd."], [plain], no_phonemizer)
    assert spans[0].start == pytest.approx(1000, abs=230)
    assert spans[-1].end == pytest.approx(3000, abs=230)
    assert spans[0].end < spans[1].start


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None, reason="Piper alignments need onnx (dev extra)"
)
async def test_estimated_word_ends_are_near_the_aligned_ones() -> None:
    require_local_stack()
    aligned = PiperSynthesizer(alignments=True)
    await aligned.start()
    try:
        voice = aligned._loaded["joe"]
        errors: list[float] = []
        for text in (
            "The capital of France is Paris.",
            "Please call me back tomorrow morning.",
            "Turn left at the second light, then keep going.",
        ):
            for piece in voice.synthesize(text, include_alignments=True):
                assert piece.phoneme_alignments is not None
                truth = PhonemeChunk(
                    piece.audio_float_array,
                    piece.sample_rate,
                    piece.phonemes,
                    [(a.phoneme, int(a.num_samples)) for a in piece.phoneme_alignments],
                )
                guess = PhonemeChunk(truth.audio, truth.sample_rate, truth.phonemes)
                words = [w for w in "".join(piece.phonemes).split(" ") if w]
                pairs = zip(
                    word_spans(words, [truth], voice.phonemize),
                    word_spans(words, [guess], voice.phonemize),
                    strict=True,
                )
                errors.extend(abs(t.end - g.end) / piece.sample_rate * 1000 for t, g in pairs)
        # benchmarks/word_timings.py measures this over 210 words: mean 55 ms, p95 122-186 ms.
        assert statistics.mean(errors) < 110
        assert max(errors) < 400
    finally:
        await aligned.aclose()
