"""How far the phoneme-count word timings are from Piper's own alignments.

The local synthesizer times words by sharing each sentence's voiced audio over its
words by phoneme count, because the bundled joe voice has no alignment output. Here
the same voice is patched in memory with that output (Piper's ``include_alignments``,
which needs the ``onnx`` package, in the ``dev`` extra), each clause is synthesized
once, and both methods time the same audio. It prints the error of word ends (what
truncation uses) and how often a cut at a random point keeps a different number of
words than the alignments say were heard.

    python benchmarks/word_timings.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from openrealtime.engines.clauses import ClauseSplitter
from openrealtime.engines.local.assets import joe_voice_paths
from openrealtime.engines.local.word_timing import PhonemeChunk, word_spans

TEXTS = (
    "The capital of France is Paris, a city known for its art and food.",
    "I can help you book a table for two at seven tonight.",
    "Sure! The weather in Berlin is sunny, with a high of 21 degrees.",
    "Please call me back tomorrow morning, after nine.",
    "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen.",
    "Your order of 3 large pizzas will arrive in about 40 minutes.",
    "Dr. Smith said the results look good, so there is nothing to worry about.",
    "Turn left at the second light, then keep going until you see the bridge.",
    "The quick brown fox jumps over the lazy dog.",
    "Well, that depends on what you mean by fast; most trains take two hours.",
    "Mount Everest is 8,849 meters tall, the highest mountain on Earth.",
    "I'm sorry, I didn't catch that. Could you say it again?",
    "Water boils at 100 degrees Celsius at sea level.",
    "Shakespeare wrote Hamlet, Macbeth and Romeo and Juliet.",
    "To reset your password, open settings and choose security.",
    "The meeting moved to Thursday at half past three.",
    "Bananas are berries, but strawberries are not.",
    "A light year is about nine and a half trillion kilometers.",
    "Remember to drink water, stretch, and take short breaks.",
    "Good night, and sleep well!",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cuts", type=int, default=50, help="random cuts per clause")
    args = parser.parse_args()
    from piper import PiperVoice

    model, config = joe_voice_paths()
    started = time.perf_counter()
    voice = PiperVoice.load(str(model), config_path=str(config), include_alignments=True)
    print(f"voice with alignments loaded in {time.perf_counter() - started:.1f} s")
    rng = random.Random(7)
    errors: list[float] = []
    start_errors: list[float] = []
    cuts = wrong = 0
    for text in TEXTS:
        splitter = ClauseSplitter(clause_chars=15, first_clause_chars=8, first_max_chars=60)
        clauses = splitter.feed(text + " ")
        tail = splitter.flush()
        for clause in [*clauses, *([tail] if tail else [])]:
            chunks = list(voice.synthesize(clause, include_alignments=True))
            if any(chunk.phoneme_alignments is None for chunk in chunks):
                raise SystemExit(f"no alignments for {clause!r}: is onnx installed?")
            rate = chunks[0].sample_rate
            aligned = [
                PhonemeChunk(
                    c.audio_float_array,
                    rate,
                    c.phonemes,
                    [(a.phoneme, int(a.num_samples)) for a in c.phoneme_alignments or ()],
                )
                for c in chunks
            ]
            counted = [PhonemeChunk(c.audio, rate, c.phonemes) for c in aligned]
            words = clause.split()
            truth = word_spans(words, aligned, voice.phonemize)
            guess = word_spans(words, counted, voice.phonemize)
            for true, est in zip(truth, guess, strict=True):
                errors.append(abs(est.end - true.end) / rate * 1000)
                start_errors.append(abs(est.start - true.start) / rate * 1000)
            total = sum(len(c.audio) for c in aligned)
            for _ in range(args.cuts):
                cut = rng.randrange(total)
                cuts += 1
                heard = sum(1 for span in truth if span.end <= cut)
                kept = sum(1 for span in guess if span.end <= cut)
                wrong += heard != kept
    errors.sort()
    print(f"{len(errors)} words in {len(TEXTS)} texts; phoneme-count timing against alignments")
    print(
        f"word end error: mean {statistics.mean(errors):.0f} ms, "
        f"p50 {errors[len(errors) // 2]:.0f} ms, p95 {errors[int(len(errors) * 0.95)]:.0f} ms, "
        f"max {errors[-1]:.0f} ms"
    )
    print(f"word start error: mean {statistics.mean(start_errors):.0f} ms")
    print(f"random cuts keeping a different word count: {wrong}/{cuts} ({wrong / cuts:.1%})")


if __name__ == "__main__":
    main()
