"""How sensible the out-of-the-box local voice assistant's answers are, question by question.

The server runs in this process on the ``local`` engines (SmolLM2-135M through llama.cpp
unless ``--llm`` names another GGUF); each question goes to a fresh realtime session
as a typed user message, with ``response.create`` and nothing else: the session's
default instructions, sampling and reply length are what is measured. The reply is
spoken (Piper), as a voice assistant's is; its audio transcript is the answer.

Per answer it prints the question, the answer, the response's status, the time from
``response.create`` to the first audio delta and to ``response.done``, and three
checks, each 1 or 0:

- **english**: no letters outside ASCII, no common French, Spanish, German or Italian
  function words, and (past three words) at least one English function word in eight;
- **length**: 1 to 40 words (two short spoken sentences) and the response
  ``completed``, not cut ``incomplete``;
- **fact**: the known answer's words are there (only for the questions that have one).

The summary gives each check's share, the mean score (the mean of the checks that
apply to each answer), the mean words and the latencies' p50 and p95. Sampling is
random, so ``--runs`` asks each question several times. ``--option KEY=VALUE`` passes
``local`` engine options (``llm_temperature=0.3``, ``llm_instructions=...``), and
``--instructions`` sends a ``session.update`` first, as a client with its own
instructions would. Run from the repository root::

    .venv/bin/python benchmarks/local_answers.py --runs 3
    .venv/bin/python benchmarks/local_answers.py --option llm_temperature=0.2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import time
from dataclasses import dataclass
from typing import Any

from openrealtime.engines.local.threads import limit_math_threads

limit_math_threads()

QUESTIONS: tuple[tuple[str, str | None], ...] = (
    ("What is the capital of Italy?", r"\brome\b"),
    ("How many days are there in a week?", r"\b(seven|7)\b"),
    ("What do bees make?", r"\bhoney\b"),
    ("How many legs does a spider have?", r"\b(eight|8)\b"),
    ("What is the opposite of hot?", r"\bcold\b"),
    ("Which animal says moo?", r"\bcows?\b"),
    ("What color is grass?", r"\bgreen\b"),
    ("What is the biggest ocean on Earth?", r"\bpacific\b"),
    ("Who wrote Hamlet?", r"\bshakespeare\b"),
    ("What is ten minus three?", r"\b(seven|7)\b"),
    ("What language is spoken in Spain?", r"\bspanish\b"),
    ("What is the freezing point of water in Celsius?", r"\b(zero|0)\b"),
    ("Hello! How are you today?", None),
    ("Can you suggest something fun to do this weekend?", None),
    ("What's a good breakfast?", None),
    ("How can I fall asleep faster?", None),
    ("Tell me a joke.", None),
    ("What should I name my new puppy?", None),
    ("Give me one tip for staying healthy.", None),
    ("Thanks, that's all for now.", None),
)

_FOREIGN_WORDS = (
    "le les des du est et une dans pour avec sur qui que je vous nous "
    "el los las es por con para del muy pero "
    "der das und ist nicht ein eine ich sie mit "
    "il di che sono della anche"
)
_ENGLISH_WORDS = (
    "the a an is are was be of to and in on it you your i my we for that this with "
    "what how can do not have has at as by or from there here it's i'm you're"
)
_FOREIGN = frozenset(_FOREIGN_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def english(text: str) -> bool:
    """The heuristic in the module docstring."""
    if any(ch.isalpha() and not ch.isascii() for ch in text):
        return False
    words = [word.lower() for word in _WORD.findall(text)]
    if any(word in _FOREIGN for word in words):
        return False
    if len(words) <= 3:
        return True
    return sum(word in _ENGLISH for word in words) * 8 >= len(words)


@dataclass
class Answer:
    question: str
    fact: str | None
    text: str = ""
    status: str = "none"
    first_audio: float | None = None
    done: float | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())

    def checks(self) -> dict[str, bool]:
        found = {
            "english": english(self.text) and self.words > 0,
            "length": 1 <= self.words <= 40 and self.status == "completed",
        }
        if self.fact is not None:
            found["fact"] = re.search(self.fact, self.text.lower()) is not None
        return found

    @property
    def score(self) -> float:
        checks = self.checks()
        return sum(checks.values()) / len(checks)


async def ask(url: str, question: str, fact: str | None, instructions: str | None) -> Answer:
    import websockets

    answer = Answer(question, fact)
    async with websockets.connect(f"{url}/realtime?model=gpt-realtime", max_size=None) as ws:
        if instructions is not None:
            await ws.send(
                json.dumps(
                    {
                        "type": "session.update",
                        "session": {"type": "realtime", "instructions": instructions},
                    }
                )
            )
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": question}],
        }
        await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
        await ws.send(json.dumps({"type": "response.create"}))
        started = time.perf_counter()
        async for raw in ws:
            event = json.loads(raw)
            kind = event["type"]
            if kind == "response.output_audio.delta" and answer.first_audio is None:
                answer.first_audio = time.perf_counter() - started
            elif kind == "response.output_audio_transcript.done":
                answer.text = event["transcript"]
            elif kind == "response.done":
                answer.done = time.perf_counter() - started
                answer.status = event["response"]["status"]
                break
            elif kind == "error":
                answer.text = f"[error] {event['error']['message']}"
                break
    return answer


def option_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(args: argparse.Namespace) -> None:
    from openrealtime.engines.registry import ModelRegistry
    from openrealtime.server import ServerConfig
    from openrealtime.server.app.runner import running

    options: dict[str, Any] = {}
    for pair in args.option:
        key, _, value = pair.partition("=")
        options[key] = option_value(value)
    if args.llm:
        options["llm"] = args.llm
    registry = ModelRegistry.default(engine="local", options=options)
    print(f"options {options or '(defaults)'}; load average {os.getloadavg()[0]:.2f}")
    answers: list[Answer] = []
    async with running(ServerConfig(models=registry)) as url:
        for run in range(args.runs):
            for question, fact in QUESTIONS:
                answer = await ask(str(url), question, fact, args.instructions)
                answers.append(answer)
                checks = " ".join(f"{k}={int(v)}" for k, v in answer.checks().items())
                first = f"{answer.first_audio * 1000:.0f}" if answer.first_audio else "-"
                done = f"{answer.done * 1000:.0f}" if answer.done else "-"
                print(f"[{run + 1}] {question}")
                print(f"    {answer.text!r}")
                print(f"    {answer.status}, first audio {first} ms, done {done} ms; {checks}")
    print_summary(answers)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def print_summary(answers: list[Answer]) -> None:
    def share(name: str) -> str:
        values = [a.checks()[name] for a in answers if name in a.checks()]
        return f"{sum(values)}/{len(values)}"

    firsts = [a.first_audio for a in answers if a.first_audio is not None]
    dones = [a.done for a in answers if a.done is not None]
    print(
        f"\n{len(answers)} answers: english {share('english')}, length {share('length')}, "
        f"fact {share('fact')}; mean score {statistics.mean(a.score for a in answers):.2f}; "
        f"mean words {statistics.mean(a.words for a in answers):.1f}; "
        f"incomplete {sum(a.status == 'incomplete' for a in answers)}"
    )
    print(
        f"  response.create -> first audio p50 {percentile(firsts, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(firsts, 0.95) * 1000:.0f} ms; "
        f"-> response.done p50 {percentile(dones, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(dones, 0.95) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="times each question is asked")
    parser.add_argument(
        "--option", action="append", default=[], help="a local engine option, KEY=VALUE"
    )
    parser.add_argument("--llm", help="a GGUF file instead of the bundled SmolLM2-135M")
    parser.add_argument("--instructions", help="instructions sent in a session.update first")
    asyncio.run(main(parser.parse_args()))
