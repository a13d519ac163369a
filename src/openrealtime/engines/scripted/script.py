r"""The ``--script FILE`` schema: canned replies, function calls, audio and faults.

A script is YAML (``.yaml``/``.yml``) or JSON (``.json``)::

    rules:                                  # tried in order; the first match wins
      - match: "What's the weather?"        # the whole user text, exactly
        reply: "Let me check."
        calls:
          - name: get_weather
            arguments: {city: Paris}        # an object is sent JSON-encoded
      - regex: '(?i)my name is (?P<name>\w+)'  # single quotes keep \ as is
        reply: "Nice to meet you, ${name}!"
      - regex: 'call (\w+) about (.+)'
        calls:
          - name: "$1"
            arguments: {topic: "$2"}
      - match: "Play the greeting"
        audio: {file: greeting.wav, transcript: "Hello there!"}
      - match: crash
        reply: "Working on it"
        delay_ms: 200                       # before the first output
        delta_delay_ms: 50                  # between deltas
        fault: "The engine fell over."      # fails the response after the reply
    default:                                # when no rule matches (optional)
      reply: "Sorry, I only know my script."

Matching. The user text is stripped of surrounding whitespace. ``match`` compares it
with the (stripped) value, case-sensitively. ``regex`` must match the whole text
(``re.fullmatch``; use ``.*`` for "contains" and ``(?i)`` for case-insensitive).
A rule has exactly one of the two.

Substitution. In ``reply``, in call names, and in the string values of ``arguments``
(at any depth, or in ``arguments`` itself when it is a string, which is sent as is),
``$1`` or ``${1}`` is a group of the match, ``${name}`` a named group, ``$0`` the whole
text and ``$$`` a dollar sign; ``match`` rules and ``default`` have only ``$0``.
References to groups the pattern lacks are refused at load; a group that did not take
part in the match is empty.

Actions. ``reply`` streams as text (or speech). ``calls`` follow the reply. ``audio``
plays a PCM16 mono WAV file (any rate; a relative path is relative to the script file)
instead of synthesized speech, with ``transcript`` as its text; it excludes ``reply``.
``delay_ms`` and ``delta_delay_ms`` are non-negative. ``fault`` fails the response with
that message once the reply (or audio) is out, before any call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from openrealtime.audio import WavFormatError, read_pcm16_wav

__all__ = [
    "Actions",
    "FunctionCallSpec",
    "Rule",
    "Script",
    "ScriptError",
    "ScriptedAudio",
    "expand",
    "load_script",
]

_REFERENCE = re.compile(r"\$(?:\$|(\d+)|\{(\d+|[A-Za-z_]\w*)\})")
_MAX_REPORTED_ERRORS = 3


class ScriptError(ValueError):
    """A script file cannot be used; ``str()`` is one line naming the file and the problem."""


def _group(reference: re.Match[str]) -> int | str | None:
    """The group a ``$`` reference names, or ``None`` for ``$$``."""
    name = reference.group(1) or reference.group(2)
    if name is None:
        return None
    return int(name) if name.isdigit() else name


def expand(template: str, match: re.Match[str]) -> str:
    """``template`` with ``$1``, ``${1}``, ``${name}`` and ``$$`` filled from ``match``."""

    def replace(reference: re.Match[str]) -> str:
        group = _group(reference)
        return "$" if group is None else match.group(group) or ""

    return _REFERENCE.sub(replace, template)


def _references(template: str) -> list[int | str]:
    groups = (_group(reference) for reference in _REFERENCE.finditer(template))
    return [group for group in groups if group is not None]


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for item in value.values() for s in _strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings_in(item)]
    return []


def _fill(value: Any, match: re.Match[str]) -> Any:
    if isinstance(value, str):
        return expand(value, match)
    if isinstance(value, Mapping):
        return {key: _fill(item, match) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, match) for item in value]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FunctionCallSpec(_Strict):
    """A function call a rule makes."""

    name: Annotated[str, Field(min_length=1)]
    arguments: dict[str, Any] | str = Field(default_factory=dict)

    def render(self, match: re.Match[str]) -> tuple[str, str]:
        """The call's name and JSON arguments, with groups of ``match`` filled in."""
        if isinstance(self.arguments, str):
            return expand(self.name, match), expand(self.arguments, match)
        arguments = json.dumps(_fill(self.arguments, match), ensure_ascii=False)
        return expand(self.name, match), arguments


class ScriptedAudio(_Strict):
    """A WAV file to play, and what it says; the file is read when the model is validated.

    A relative ``file`` resolves against the ``base_dir`` of the validation context
    (:func:`load_script` passes the script's directory), else the working directory.
    """

    file: Path
    transcript: str
    _pcm: bytes = PrivateAttr(b"")
    _sample_rate: int = PrivateAttr(0)

    @model_validator(mode="after")
    def _load(self, info: ValidationInfo) -> Self:
        base = Path((info.context or {}).get("base_dir", "."))
        path = self.file if self.file.is_absolute() else base / self.file
        if not path.is_file():
            raise ValueError(f"audio file not found: {path}")
        try:
            self._pcm, self._sample_rate = read_pcm16_wav(path)
        except WavFormatError as exc:
            raise ValueError(f"{path} is not a PCM16 mono WAV file: {exc}") from exc
        return self

    @property
    def pcm(self) -> bytes:
        """The file's PCM16 samples."""
        return self._pcm

    @property
    def sample_rate(self) -> int:
        """The file's sample rate."""
        return self._sample_rate


class Actions(_Strict):
    """What a rule does; also the shape of the ``default`` rule."""

    reply: str | None = None
    calls: list[FunctionCallSpec] = Field(default_factory=list)
    audio: ScriptedAudio | None = None
    delay_ms: Annotated[float, Field(ge=0)] = 0
    delta_delay_ms: Annotated[float, Field(ge=0)] = 0
    fault: str | None = None

    @model_validator(mode="after")
    def _reply_or_audio(self) -> Self:
        if self.reply is not None and self.audio is not None:
            raise ValueError("give either reply or audio (whose transcript is the reply)")
        return self

    def templates(self) -> list[str]:
        """Every string that takes ``$`` substitutions."""
        found = [self.reply] if self.reply is not None else []
        for call in self.calls:
            found += [call.name, *_strings_in(call.arguments)]
        return found


def _check_references(actions: Actions, groups: set[int | str]) -> None:
    for template in actions.templates():
        for group in _references(template):
            if group not in groups:
                raise ValueError(f"{template!r} refers to group {group!r}, which the pattern lacks")


class Rule(Actions):
    """Actions taken when the user text equals ``match`` or fully matches ``regex``."""

    match: str | None = None
    regex: str | None = None
    _pattern: re.Pattern[str] = PrivateAttr()

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str | None) -> str | None:
        if regex is not None:
            try:
                re.compile(regex)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return regex

    @model_validator(mode="after")
    def _one_pattern(self) -> Self:
        if (self.match is None) == (self.regex is None):
            raise ValueError("a rule needs exactly one of match or regex")
        if self.regex is not None:
            self._pattern = re.compile(self.regex)
        else:
            self._pattern = re.compile(re.escape((self.match or "").strip()))
        _check_references(self, {*range(self._pattern.groups + 1), *self._pattern.groupindex})
        return self

    def fullmatch(self, text: str) -> re.Match[str] | None:
        """The match of the stripped user text, or ``None``."""
        return self._pattern.fullmatch(text.strip())


class Script(_Strict):
    """A list of rules, and what to do when none matches."""

    rules: list[Rule] = Field(default_factory=list)
    default: Actions | None = None

    @model_validator(mode="after")
    def _default_uses_whole_text_only(self) -> Self:
        if self.default is not None:
            try:
                _check_references(self.default, {0})
            except ValueError as exc:
                raise ValueError(f"default: {exc}") from None
        return self

    def find(self, text: str) -> tuple[Rule, re.Match[str]] | None:
        """The first rule that matches ``text``, with its match."""
        for rule in self.rules:
            found = rule.fullmatch(text)
            if found is not None:
                return rule, found
        return None


def _parse(path: Path, source: str) -> Any:
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(source)
        except json.JSONDecodeError as exc:
            raise ScriptError(
                f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
    if suffix in {".yaml", ".yml"}:
        import yaml

        try:
            return yaml.safe_load(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ScriptError(f"{path}: invalid YAML{where}: {problem}") from None
    raise ScriptError(f"{path}: unknown script type {suffix!r}; use .yaml, .yml or .json")


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:_MAX_REPORTED_ERRORS]:
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    more = len(error.errors()) - _MAX_REPORTED_ERRORS
    if more > 0:
        problems.append(f"and {more} more")
    return " ".join("; ".join(problems).split())


def load_script(path: str | Path) -> Script:
    """Read and check a script file; raise :class:`ScriptError` when it cannot be used."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScriptError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read the script: {exc}") from None
    data = _parse(path, source)
    if data is None:
        raise ScriptError(f"{path}: the script is empty")
    try:
        return Script.model_validate(data, context={"base_dir": path.parent})
    except ValidationError as exc:
        raise ScriptError(f"{path}: {_describe(exc)}") from None
