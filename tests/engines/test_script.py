from __future__ import annotations

import json
import re
import wave
from pathlib import Path

import pytest

from openrealtime.audio import write_pcm16_wav
from openrealtime.engines.scripted import Script, ScriptError, load_script
from openrealtime.engines.scripted.script import expand

YAML_SCRIPT = r"""
rules:
  - match: "  What's the weather?  "
    reply: Let me check.
    calls:
      - name: get_weather
        arguments: {city: Paris, days: [1, "$0"]}
  - regex: '(?i)my name is (?P<name>\w+)'
    reply: "Hi ${name}, that costs $$5"
  - match: greet
    audio: {file: sounds/hello.wav, transcript: Hello there}
default:
  reply: "Unknown: $0"
  delay_ms: 10
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_load_yaml_with_relative_audio(tmp_path: Path) -> None:
    (tmp_path / "sounds").mkdir()
    write_pcm16_wav(tmp_path / "sounds" / "hello.wav", b"\x01\x00" * 800, 8000)
    script = load_script(write(tmp_path, "s.yaml", YAML_SCRIPT))
    assert len(script.rules) == 3
    rule, match = script.find(" What's the weather? ") or (None, None)
    assert rule is script.rules[0]
    assert match is not None
    assert rule.calls[0].render(match) == (
        "get_weather",
        '{"city": "Paris", "days": [1, "What\'s the weather?"]}',
    )
    rule, match = script.find("My name is Ada") or (None, None)
    assert rule is not None
    assert match is not None
    assert expand(rule.reply or "", match) == "Hi Ada, that costs $5"
    audio = script.rules[2].audio
    assert audio is not None
    assert (audio.sample_rate, audio.pcm, audio.transcript) == (
        8000,
        b"\x01\x00" * 800,
        "Hello there",
    )
    assert script.find("what's the weather?") is None  # case-sensitive
    assert script.find("so, my name is Ada") is None  # fullmatch
    assert script.default is not None
    assert script.default.delay_ms == 10


def test_load_json_and_yml(tmp_path: Path) -> None:
    data = {"rules": [{"regex": "a(b)?c", "reply": "[$1]"}]}
    for name in ("s.json", "s.yml"):
        script = load_script(write(tmp_path, name, json.dumps(data)))
        assert script.rules[0].regex == "a(b)?c"
        found = script.find("ac")
        assert found is not None
        assert expand("[$1]", found[1]) == "[]"


def test_scripts_can_be_built_in_code() -> None:
    script = Script.model_validate({"rules": [{"match": "x", "reply": "y"}]})
    assert script.find("x") is not None


def stereo_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(bytes(8))


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("s.txt", "rules: []", "unknown script type '.txt'"),
        ("s.yaml", "rules: [", "invalid YAML at line 1, column 9: expected the node content"),
        ("s.json", '{"rules": [}', "invalid JSON at line 1, column 12"),
        ("s.yaml", "", "the script is empty"),
        ("s.yaml", "- match: a", ": Input should be a valid dictionary"),
        ("s.yaml", "rules:\n  - match: a\n    reponse: b", "rules.0.reponse: Extra inputs are not"),
        ("s.yaml", "rules:\n  - reply: b", "rules.0: a rule needs exactly one of match or regex"),
        ("s.yaml", "rules:\n  - {match: a, regex: a}", "rules.0: a rule needs exactly one"),
        (
            "s.yaml",
            "rules:\n  - {regex: '(a', reply: b}",
            "rules.0.regex: invalid regular expression",
        ),
        ("s.yaml", "rules:\n  - {regex: '(a)', reply: $2}", "refers to group 2, which the pattern"),
        ("s.yaml", "rules:\n  - {regex: 'a', reply: '${who}'}", "refers to group 'who'"),
        ("s.yaml", "rules:\n  - {match: a, reply: $1}", "refers to group 1"),
        ("s.yaml", "default: {reply: $1}", "default: '$1' refers to group 1"),
        (
            "s.yaml",
            "rules:\n  - {match: a, delay_ms: -1}",
            "rules.0.delay_ms: Input should be greater",
        ),
        (
            "s.yaml",
            "rules:\n  - {match: a, calls: [{name: ''}]}",
            "rules.0.calls.0.name: String should",
        ),
        (
            "s.yaml",
            "rules:\n  - {match: a, audio: {file: none.wav, transcript: t}}",
            "rules.0.audio: audio file not found:",
        ),
        (
            "s.yaml",
            "rules:\n  - {match: a, audio: {file: text.wav, transcript: t}}",
            "is not a PCM16 mono WAV file: not a PCM WAV file",
        ),
        (
            "s.yaml",
            "rules:\n  - {match: a, audio: {file: stereo.wav, transcript: t}}",
            "expected 16-bit mono PCM, got 16-bit with 2 channel(s)",
        ),
        (
            "s.yaml",
            "rules:\n  - {match: a, reply: b, audio: {file: ok.wav, transcript: t}}",
            "rules.0: give either reply or audio",
        ),
    ],
)
def test_errors_are_one_line_naming_file_and_problem(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    (tmp_path / "text.wav").write_text("not audio")
    stereo_wav(tmp_path / "stereo.wav")
    write_pcm16_wav(tmp_path / "ok.wav", bytes(16), 8000)
    path = write(tmp_path, name, text)
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert isinstance(caught.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match=re.escape(f"{tmp_path / 'nope.yaml'}: no such file")):
        load_script(tmp_path / "nope.yaml")


def test_many_errors_are_summarised_on_one_line(tmp_path: Path) -> None:
    rules = "\n".join(f"  - {{match: a, x{i}: 1}}" for i in range(5))
    path = write(tmp_path, "s.yaml", f"rules:\n{rules}")
    with pytest.raises(
        ScriptError, match=r"rules\.2\.x2: Extra inputs are not permitted; and 2 more$"
    ):
        load_script(path)
