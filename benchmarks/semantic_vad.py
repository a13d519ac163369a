"""semantic_vad against server_vad, on Piper speech streamed in real time through the server.

The server runs in this process on the ``local`` engines that turn detection uses
(Silero VAD, Whisper tiny.en, the SmolLM2 turn scorer; no replies: ``create_response``
is off). A client in the same process speaks over WebSocket on 127.0.0.1, in 20 ms
packets at real time, clips that Piper (the joe voice) synthesized beforehand:

- 20 sentences with a pause in the middle: spoken whole, then cut at a word boundary
  (Piper's alignments) with 400, 500, 600, 700 or 800 ms of silence put in (four of
  each). A turn that ends (``speech_stopped``) before the sentence does is a *cut*.
- 20 complete turns, each followed by silence. Latency is from the end of the speech
  (the clip's last sample above -40 dBFS, on the real-time schedule) to the arrival of
  ``speech_stopped``.

Each clip goes through three sessions in turn, one per setting: ``server_vad`` with
``silence_duration_ms`` 500, and ``semantic_vad`` with eagerness ``auto`` (medium) and
``high``. Input transcription is on (``whisper-1``). It prints a Markdown table, and
asserts nothing. The pass mark (issue 9): semantic_vad cuts fewer sentences, and its p50
on complete turns is no worse than server_vad's.

``--calibrate`` instead fits the weights of :mod:`openrealtime.server.session.end_of_turn`
on a separate set of clips (the same kinds, other sentences): each sentence, cut at its
pause or complete, is transcribed as a draft would be (with 100 ms of silence after it)
and scored by SmolLM2; a logistic regression on the transcript's form and the score's
decades prints its weights. Run from the repository root::

    .venv/bin/python benchmarks/semantic_vad.py             # about 9 minutes
    .venv/bin/python benchmarks/semantic_vad.py --details   # and every clip's outcome
    .venv/bin/python benchmarks/semantic_vad.py --calibrate # about 1 minute

``--whisper-window`` compares Whisper's encoder windows (30 s down to 5 s) on the
sentences of both sets, whole and cut at their pause: median time per transcription,
word error rate, and how often a transcript ends with ``.``, ``!`` or ``?`` (what
``semantic_vad`` reads as finished) (about 4 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import statistics
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openrealtime.engines.local.threads import limit_math_threads

limit_math_threads()

RATE = 24000
PACKET_MS = 20
PACKET_BYTES = RATE * PACKET_MS // 1000 * 2
LEAD_MS = 600
TAIL_AFTER_STOP_MS = 200
PAUSES_MS = (400, 500, 600, 700, 800)
SPEECH_LEVEL = 0.01
"""-40 dBFS: where a clip's speech begins and ends."""

# "|" marks the pause; the words before it are what the user has said when it begins.
PAUSED = (
    "I want to book a flight to Boston and | a hotel near the airport.",
    "Can you tell me | what the weather will be like tomorrow?",
    "I was thinking that maybe we could | go to the beach this weekend.",
    "The thing is | I never got the email you sent me.",
    "Please remind me to call my mother | when I get home from work.",
    "What is the best way to get from the station | to the museum?",
    "Could you find me a restaurant that | serves vegetarian food?",
    "My daughter wants to learn how to | play the piano.",
    "Set an alarm for | seven thirty tomorrow morning.",
    "I am looking for a present for my brother because | his birthday is next week.",
    "How long does it take to | boil an egg?",
    "Tell me about the history of | the Roman empire.",
    "I would like to order a large pizza with | mushrooms and olives.",
    "So what I really want to know is | whether the store is open on Sunday.",
    "Can you play some music | that helps me concentrate?",
    "We should probably leave early so | we do not miss the train.",
    "Turn off the lights in the kitchen | and lock the front door.",
    "I think the problem is | that the printer is out of paper.",
    "Is there a pharmacy near | the hotel where we are staying?",
    "I would like to um | change my reservation for Friday.",
)
COMPLETE = (
    "What is the capital of France?",
    "Book me a table for two at seven.",
    "Thanks, that's all.",
    "Can you tell me a joke?",
    "I'd like to order a pizza.",
    "How tall is Mount Everest?",
    "Turn on the lights in the living room.",
    "What time does the bank close today?",
    "Remind me to water the plants tomorrow.",
    "Who wrote Pride and Prejudice?",
    "Play my favourite song.",
    "How many ounces are in a pound?",
    "I lost my keys again.",
    "What should I wear to the wedding?",
    "Send a message to Anna saying I will be late.",
    "Is it going to rain this afternoon?",
    "Please cancel my meeting with David.",
    "Where is the nearest gas station?",
    "That sounds great, let's do it.",
    "Explain how a rainbow forms.",
)
CALIBRATION_PAUSED = (
    "I need you to send an email to | my manager about the report.",
    "Do you know if | the library is open late tonight?",
    "My favourite kind of music is | jazz from the fifties.",
    "Could you please check whether | my package has arrived?",
    "I have been feeling tired lately and | I do not know why.",
    "Add eggs and butter | to my shopping list.",
    "Find me a cheap hotel | close to the city centre.",
    "Yesterday I went to the market with | my sister.",
    "How much does it cost to | rent a car for a week?",
    "I am not sure if | I should take the bus or the train.",
    "Call the dentist | and move my appointment to Monday.",
    "Let me think about | what I want for lunch.",
    "The reason I am calling is | that my internet is not working.",
    "What do you think about | the new phone that came out?",
    "Please read me | the latest news headlines.",
    "I was wondering whether you could help me | plan a birthday party.",
    "Can you explain the difference between | a virus and a bacterium?",
    "I usually go running in the morning but | today it is raining.",
    "Is it possible to | change the language of the app?",
    "We need to buy a new | washing machine for the house.",
    "Can you tell me about the weather because | I am going out later?",
    "I missed the bus this morning so | I was late for work.",
    "I would like to um | book a table for tonight.",
    "Could you turn up the heating or | close the window?",
    "I tried to call the bank but | nobody answered.",
    "We could go to the cinema and | have dinner afterwards.",
)
CALIBRATION_COMPLETE = (
    "What is the weather like in Paris?",
    "Set a timer for ten minutes.",
    "Who won the game last night?",
    "I need a taxi to the airport.",
    "How do you spell necessary?",
    "Open the garage door.",
    "What is my next appointment?",
    "Tell me something interesting.",
    "Can you speak more slowly?",
    "I'm hungry.",
    "Add milk to my shopping list.",
    "How old is the universe?",
    "That's not what I asked.",
    "Call my sister.",
    "What does this word mean?",
    "Good morning, how are you?",
    "Please stop the music.",
    "Where did I park my car?",
    "Translate hello into Spanish.",
    "Yes, please go ahead.",
    "Why is the sky blue?",
    "Turn the volume down.",
    "What's the time?",
    "I'm done for today.",
    "How do I get to the station?",
    "Thank you so much.",
)

SETTINGS: dict[str, dict[str, Any]] = {
    "server_vad 500 ms": {"type": "server_vad", "silence_duration_ms": 500},
    "semantic_vad auto (medium)": {"type": "semantic_vad", "eagerness": "auto"},
    "semantic_vad high": {"type": "semantic_vad", "eagerness": "high"},
}
LONGEST_WAIT_MS = {"server_vad 500 ms": 500, "semantic_vad auto (medium)": 4000}
"""How long a setting may take to end a turn (semantic high: 2 s, the default below)."""


# -- clips ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    """Speech to stream: ``pcm`` at 24 kHz, from its first to its last spoken sample."""

    text: str
    pcm: bytes
    pause_ms: int = 0
    """Silence put in mid-sentence (0: a complete turn)."""
    pause_at: int = -1
    """Where the pause begins, in bytes (-1: a complete turn)."""

    @property
    def before_pause(self) -> bytes:
        """What was said when the pause began (all of a complete turn)."""
        return self.pcm if self.pause_at < 0 else self.pcm[: self.pause_at]

    @property
    def speech_ms(self) -> float:
        return len(self.pcm) / 2 / RATE * 1000


def speech_span(pcm: bytes) -> tuple[int, int]:
    """The byte offsets of the first and last 10 ms windows above -40 dBFS."""
    import numpy as np

    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    window = RATE // 100
    count = len(samples) // window
    rms = np.sqrt((samples[: count * window].reshape(count, window) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > SPEECH_LEVEL)
    if len(loud) == 0:
        return 0, 0
    return int(loud[0]) * window * 2, min(len(pcm), (int(loud[-1]) + 1) * window * 2)


def trimmed(pcm: bytes) -> bytes:
    start, end = speech_span(pcm)
    return pcm[start:end]


async def spoken_words(piper: Any, text: str) -> list[bytes]:
    """``text`` spoken by Piper, one PCM piece per word (cut where the alignments say)."""
    from openrealtime.engines import CancelSignal

    async def once() -> AsyncIterator[str]:
        yield text

    chunks = piper.synthesize(once(), voice="alloy", speed=1.0, cancel=CancelSignal())
    pieces = [chunk.pcm async for chunk in chunks]
    if len(pieces) != len(text.split()):
        raise RuntimeError(f"Piper gave {len(pieces)} word pieces for {text!r}")
    return pieces


async def make_clips(
    paused: Sequence[str], complete: Sequence[str]
) -> tuple[list[Clip], list[Clip]]:
    """The paused sentences (with their pauses put in) and the complete turns."""
    from openrealtime.engines.local.piper import PiperSynthesizer

    piper = PiperSynthesizer(alignments=True)
    await piper.start()
    try:
        cut: list[Clip] = []
        for index, marked in enumerate(paused):
            head, tail = (part.strip() for part in marked.split("|"))
            words = await spoken_words(piper, f"{head} {tail}")
            before = len(head.split())
            first = trimmed(b"".join(words[:before]))
            second = trimmed(b"".join(words[before:]))
            pause = PAUSES_MS[index % len(PAUSES_MS)]
            gap = bytes(pause * RATE // 1000 * 2)
            cut.append(Clip(f"{head} {tail}", first + gap + second, pause, len(first)))
        whole = [
            Clip(text, trimmed(b"".join(await spoken_words(piper, text)))) for text in complete
        ]
        return cut, whole
    finally:
        await piper.aclose()


# -- the run ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one setting did with one clip."""

    clip: str
    pause_ms: int
    cut: bool = False
    latency_ms: float | None = None
    """End of speech → ``speech_stopped`` for the turn that ends after the speech."""
    transcripts: list[str] = field(default_factory=list)


@dataclass
class Talker:
    """One session: its socket, what it has sent, and the turn events it got."""

    ws: Any
    sent_ms: float = 0.0
    stops: list[tuple[float, int, str]] = field(default_factory=list)
    """(arrival, ``audio_end_ms``, item id) of each ``speech_stopped``."""
    transcripts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    async def receive(self) -> None:
        async for raw in self.ws:
            arrived = time.perf_counter()
            event = json.loads(raw)
            kind = event["type"]
            if kind == "input_audio_buffer.speech_stopped":
                self.stops.append((arrived, event["audio_end_ms"], event["item_id"]))
            elif kind == "conversation.item.input_audio_transcription.completed":
                self.transcripts[event["item_id"]] = event["transcript"]
            elif kind == "error":
                self.errors.append(event["error"]["message"])

    async def send(self, pcm: bytes, started: float) -> None:
        """Send ``pcm`` in 20 ms packets on the real-time schedule that began at ``started``."""
        for offset in range(0, len(pcm), PACKET_BYTES):
            delay = started + offset / 2 / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            packet = pcm[offset : offset + PACKET_BYTES]
            audio = base64.b64encode(packet).decode()
            await self.ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
            self.sent_ms += len(packet) / 2 / RATE * 1000


async def connect(url: str, turn_detection: dict[str, Any]) -> Talker:
    import websockets

    ws = await websockets.connect(f"{url}/realtime?model=gpt-realtime", max_size=None)
    talker = Talker(ws)
    asyncio.get_running_loop().create_task(talker.receive())
    session = {
        "type": "realtime",
        "output_modalities": ["text"],
        "audio": {
            "input": {
                "transcription": {"model": "whisper-1"},
                "turn_detection": {**turn_detection, "create_response": False},
            }
        },
    }
    await ws.send(json.dumps({"type": "session.update", "session": session}))
    await asyncio.sleep(0.2)
    return talker


async def run_clip(talker: Talker, clip: Clip, longest_wait_ms: float) -> Outcome:
    """Lead silence, the clip, then silence until its turn ends (or cannot any more)."""
    first_stop = len(talker.stops)
    origin_ms = talker.sent_ms
    speech_end_ms = origin_ms + LEAD_MS + clip.speech_ms
    started = time.perf_counter()
    speech_end_at = started + (LEAD_MS + clip.speech_ms) / 1000
    await talker.send(bytes(LEAD_MS * RATE // 1000 * 2) + clip.pcm, started)
    deadline = speech_end_at + (longest_wait_ms + 1500) / 1000
    ended_at: float | None = None
    silence = bytes(PACKET_BYTES)
    while time.perf_counter() < deadline:
        ended = any(end >= speech_end_ms for _, end, _ in talker.stops[first_stop:])
        if ended_at is None and ended:
            ended_at = time.perf_counter()
        if ended_at is not None and time.perf_counter() - ended_at > TAIL_AFTER_STOP_MS / 1000:
            break
        await talker.send(silence, time.perf_counter())
        await asyncio.sleep(PACKET_MS / 1000)
    await asyncio.sleep(0.5)  # the last transcript
    outcome = Outcome(clip.text, clip.pause_ms)
    for arrival, end_ms, item_id in talker.stops[first_stop:]:
        outcome.transcripts.append(talker.transcripts.get(item_id, "?"))
        if end_ms < speech_end_ms:
            outcome.cut = True
        elif outcome.latency_ms is None:
            outcome.latency_ms = (arrival - speech_end_at) * 1000
    return outcome


def registry() -> Any:
    from openrealtime.engines.registry import ModelRegistry

    scripted = {"engine": "scripted"}
    return ModelRegistry.from_dict(
        {
            "models": [
                {
                    "name": "gpt-realtime",
                    "match": ["gpt-realtime*"],
                    "engine": "local",
                    "responder": scripted,
                    "synthesizer": scripted,
                }
            ]
        }
    )


async def evaluate(args: argparse.Namespace) -> None:
    from openrealtime.server import ServerConfig
    from openrealtime.server.app.runner import running

    paused, complete = await make_clips(PAUSED[: args.limit], COMPLETE[: args.limit])
    clips = paused + complete
    outcomes: dict[str, list[Outcome]] = {name: [] for name in SETTINGS}
    load_before = os.getloadavg()[0]
    async with running(ServerConfig(models=registry())) as url:
        talkers = {name: await connect(str(url), td) for name, td in SETTINGS.items()}
        for index, clip in enumerate(clips, 1):
            for name, talker in talkers.items():
                outcome = await run_clip(talker, clip, LONGEST_WAIT_MS.get(name, 2000))
                outcomes[name].append(outcome)
            print(f"  {index}/{len(clips)} {clip.text}", flush=True)
        for talker in talkers.values():
            await talker.ws.close()
            if talker.errors:
                print(f"errors: {talker.errors}")
    print_table(outcomes, len(paused), len(complete), load_before)
    if args.details:
        print_details(outcomes)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_table(
    outcomes: dict[str, list[Outcome]], paused: int, complete: int, load_before: float
) -> None:
    print(
        f"\n{paused} sentences with a mid-sentence pause (400-800 ms), {complete} complete "
        f"turns; {os.cpu_count()} CPUs, load average {load_before:.2f} before and "
        f"{os.getloadavg()[0]:.2f} after"
    )
    header = " | ".join(f"{p} ms" for p in PAUSES_MS)
    print(
        f"\n| setting | sentences cut | cut at a pause of {header} | complete turns: "
        "end of speech → speech_stopped p50 | p90 | max | complete turns cut or not ended |"
    )
    print("|---|---|" + "---|" * len(PAUSES_MS) + "---|---|---|---|")
    for name, results in outcomes.items():
        cut = [o for o in results if o.pause_ms and o.cut]
        by_pause = " | ".join(
            str(sum(1 for o in cut if o.pause_ms == pause)) for pause in PAUSES_MS
        )
        whole = [o for o in results if not o.pause_ms]
        latencies = [o.latency_ms for o in whole if o.latency_ms is not None and not o.cut]
        failed = sum(1 for o in whole if o.cut or o.latency_ms is None)
        print(
            f"| {name} | {len(cut)}/{paused} | {by_pause} | "
            f"{percentile(latencies, 0.5):.0f} ms | {percentile(latencies, 0.9):.0f} ms | "
            f"{max(latencies, default=math.nan):.0f} ms | {failed} |"
        )
    paused_latency = {
        name: [o.latency_ms for o in results if o.pause_ms and not o.cut and o.latency_ms]
        for name, results in outcomes.items()
    }
    print("\nSentences not cut, end of speech → speech_stopped p50:")
    for name, values in paused_latency.items():
        median = statistics.median(values) if values else math.nan
        print(f"  {name}: {median:.0f} ms over {len(values)}")


def print_details(outcomes: dict[str, list[Outcome]]) -> None:
    for name, results in outcomes.items():
        print(f"\n{name}")
        for o in results:
            latency = f"{o.latency_ms:.0f} ms" if o.latency_ms is not None else "never"
            mark = "CUT " if o.cut else "    "
            print(f"  {mark}{o.pause_ms:>3} {latency:>8}  {o.clip}  →  {o.transcripts}")


# -- calibration --------------------------------------------------------------------------


async def calibrate() -> None:
    import numpy as np

    from openrealtime.engines import TranscriptionRequest, TranscriptResult
    from openrealtime.engines.local.turn_scorer import LlamaTurnScorer
    from openrealtime.engines.local.whisper import WhisperTranscriber
    from openrealtime.server.session.end_of_turn import WordSignals

    paused, complete = await make_clips(CALIBRATION_PAUSED, CALIBRATION_COMPLETE)
    clips = [(0, clip) for clip in paused] + [(1, clip) for clip in complete]
    whisper, scorer = WhisperTranscriber(), LlamaTurnScorer()
    await whisper.start()
    await scorer.start()
    rows: list[tuple[int, float, WordSignals, str]] = []
    lead, after = bytes(300 * RATE // 1000 * 2), bytes(100 * RATE // 1000 * 2)
    try:
        for finished, clip in clips:
            said = lead + clip.before_pause + after
            request = TranscriptionRequest(said, RATE, model="whisper-1")
            parts = [part async for part in whisper.transcribe(request)]
            text = next(p.text for p in parts if isinstance(p, TranscriptResult))
            probability = await scorer.end_of_turn(text)
            rows.append((finished, probability, WordSignals.read(text), text))
    finally:
        await whisper.aclose()
        await scorer.aclose()
    print("\nfinished  P(end)  unfinished  trailing  transcript")
    for finished, probability, signals, text in rows:
        print(
            f"{finished:>8}  {probability:6.3f}  {signals.unfinished!s:>10}  "
            f"{signals.trailing_word!s:>8}  {text}"
        )
    features = np.array(
        [
            [1.0, s.unfinished, s.trailing_word, math.log10(max(p, 0.001) / 0.001)]
            for _, p, s, _ in rows
        ]
    )
    labels = np.array([finished for finished, *_ in rows], dtype=float)
    weights = np.zeros(features.shape[1])
    for _ in range(20000):  # gradient descent on the L2-regularized logistic loss
        predicted = 1 / (1 + np.exp(-features @ weights))
        gradient = features.T @ (predicted - labels) / len(labels)
        gradient[1:] += 0.01 * weights[1:]
        weights -= 0.1 * gradient
    names = ("intercept", "unfinished", "trailing word", "per decade of P(end)")
    fitted = ", ".join(f"{n} {w:+.2f}" for n, w in zip(names, weights, strict=True))
    print(f"\nfitted weights: {fitted}")
    scores = features @ weights
    for label, name in ((0.0, "cut at the pause"), (1.0, "complete")):
        values = np.sort(scores[labels == label])
        print(f"log-odds, {name}: " + " ".join(f"{v:.1f}" for v in values))


async def compare_windows() -> None:
    """Whisper's transcripts and time with the encoder's window from 30 s down to 5 s."""
    from openrealtime.engines import TranscriptionRequest, TranscriptResult
    from openrealtime.engines.local.whisper import WhisperTranscriber
    from openrealtime.server.session.end_of_turn import WordSignals
    from openrealtime.testing.speech import word_error_rate

    paused, complete = await make_clips(
        PAUSED + CALIBRATION_PAUSED, COMPLETE + CALIBRATION_COMPLETE
    )
    whole = [(clip.text, clip.pcm) for clip in complete + paused]
    halves = [clip.before_pause for clip in paused]
    lead, after = bytes(300 * RATE // 1000 * 2), bytes(100 * RATE // 1000 * 2)
    print(
        f"{len(complete)} complete sentences, {len(paused)} with a pause (whole), "
        f"and their {len(halves)} halves before the pause, as a draft would hear them"
    )
    for window in (30.0, 20.0, 15.0, 10.0, 5.0):
        whisper = WhisperTranscriber(window=window)
        await whisper.start()
        texts, seconds = [], []
        try:
            for pcm in [pcm for _, pcm in whole] + halves:
                request = TranscriptionRequest(lead + pcm + after, RATE, model="whisper-1")
                started = time.perf_counter()
                parts = [part async for part in whisper.transcribe(request)]
                seconds.append(time.perf_counter() - started)
                texts.append(next(p.text for p in parts if isinstance(p, TranscriptResult)))
        finally:
            await whisper.aclose()
        heard, cut = texts[: len(whole)], texts[len(whole) :]
        errors = [word_error_rate(said, text) for (said, _), text in zip(whole, heard, strict=True)]
        complete_heard = heard[: len(complete)]
        finished = sum(1 for text in complete_heard if not WordSignals.read(text).unfinished)
        halves_finished = sum(1 for text in cut if not WordSignals.read(text).unfinished)
        print(
            f"window {window:4.0f} s: median {statistics.median(seconds) * 1000:4.0f} ms, "
            f"word error rate {statistics.mean(errors):5.1%} (whole sentences); "
            f"a final mark on {finished}/{len(complete)} complete sentences "
            f"and on {halves_finished}/{len(halves)} halves"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every clip's outcome")
    parser.add_argument(
        "--limit", type=int, default=None, help="only the first N clips of each kind (a quick look)"
    )
    parser.add_argument("--calibrate", action="store_true", help="fit the word weights instead")
    parser.add_argument(
        "--whisper-window", action="store_true", help="compare Whisper's encoder windows instead"
    )
    args = parser.parse_args()
    if args.whisper_window:
        asyncio.run(compare_windows())
    else:
        asyncio.run(calibrate() if args.calibrate else evaluate(args))


if __name__ == "__main__":
    main()
