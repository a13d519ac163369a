"""Which engines serve which model names.

A registry holds model entries: a name, glob patterns that route to it, and an
engine kind with options, which every role uses unless the entry overrides that
role with a kind and options of its own. Aliases map further names onto entries.

The configuration file (YAML or JSON) looks like this::

    models:
      - name: gpt-realtime          # listed by GET /v1/models
        match: ["gpt-realtime*"]    # glob patterns routed here, besides the name
        engine: scripted            # the engine kind of every role...
        options: {script: replies.yaml, pace: 1.0}
        responder:                  # ...except those overridden (responder, synthesizer,
          engine: scripted          # transcriber, vad, turn_scorer)
          options: {script: other.yaml}
    aliases:
      my-agent: gpt-realtime

Relative paths in ``options`` (``script``, ``model_path``, ``llm``, ``turn_model``)
resolve against the file's directory.

Engines are built and started by ``await registry.start(pool)`` before the server
takes connections; afterwards :meth:`ModelRegistry.engines` is a dictionary lookup.
Kinds come from :func:`register_kind`; ``scripted`` is built in.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

from ..extras import MissingExtra
from .base import (
    EngineSet,
    EngineState,
    Lifecycle,
    Responder,
    Role,
    Synthesizer,
    Transcriber,
    TurnScorer,
    VoiceActivityDetector,
)
from .kinds import REQUIRED_ROLES, ROLES, UnknownKind, engine_kind, register_kind
from .pool import EnginePool, EngineStartError, Progress, one_line

__all__ = [
    "DEFAULT_PATTERNS",
    "EngineStartError",
    "MissingExtra",
    "ModelEntry",
    "ModelRegistry",
    "RegistryError",
    "RoleEngine",
    "register_kind",
]

DEFAULT_PATTERNS: Final = (
    "gpt-realtime",
    "gpt-realtime-*",
    "gpt-4o-realtime-preview",
    "gpt-4o-realtime-preview-*",
    "gpt-4o-mini-realtime-preview",
    "gpt-4o-mini-realtime-preview-*",
)
"""The OpenAI realtime model families served out of the box, dated snapshots included."""

_ENTRY_FIELDS: Final = frozenset({"name", "engine", "match", "options", *ROLES})
_PATH_OPTIONS: Final = ("script", "model_path", "llm", "turn_model")


class RegistryError(ValueError):
    """A bad model configuration; ``str()`` is one line."""


@dataclass(frozen=True)
class RoleEngine:
    """The engine kind, and its options, that serves one role of a model."""

    engine: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ModelEntry:
    """One served model.

    ``roles`` overrides the kind (and options) of single roles. ``engines`` is a
    ready-made set (tests, embedding): it is used as given, started if it is not
    (``start`` is idempotent) and never closed by the server; whoever made it closes it.
    """

    name: str
    engine: str = "scripted"
    match: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    roles: dict[Role, RoleEngine] = field(default_factory=dict)
    engines: EngineSet | None = None

    def matches(self, model: str) -> bool:
        """Whether a requested model name routes here: its name, or one of its patterns."""
        return model == self.name or any(fnmatch.fnmatchcase(model, p) for p in self.match)

    def role_engine(self, role: Role) -> RoleEngine:
        """The kind and options that serve ``role``."""
        return self.roles.get(role) or RoleEngine(self.engine, self.options)

    def check(self) -> None:
        """Raise :class:`RegistryError` unless every kind exists and provides its role."""
        if self.engines is not None:
            return
        for role in ROLES:
            spec = self.role_engine(role)
            try:
                kind = engine_kind(spec.engine)
                if role in REQUIRED_ROLES or role in self.roles:
                    kind.factory(role)
            except UnknownKind as exc:
                raise RegistryError(f"model {self.name}: {exc}") from None


class ModelRegistry:
    """Model names to engines, with aliases."""

    def __init__(
        self, entries: list[ModelEntry] | None = None, aliases: Mapping[str, str] | None = None
    ) -> None:
        self.entries = list(entries or [])
        self.aliases = dict(aliases or {})
        self._sets: dict[int, EngineSet] = {}
        self._given: dict[str, EngineState] = {}
        self._pool: EnginePool | None = None

    @classmethod
    def default(
        cls, *, engine: str = "scripted", options: Mapping[str, Any] | None = None
    ) -> ModelRegistry:
        """The OpenAI realtime families, served by one engine kind."""
        entry = ModelEntry("gpt-realtime", engine, DEFAULT_PATTERNS, dict(options or {}))
        return cls([entry])

    @classmethod
    def with_engines(
        cls, engines: EngineSet, patterns: tuple[str, ...] = DEFAULT_PATTERNS
    ) -> ModelRegistry:
        """The OpenAI realtime families, served by a ready-made engine set."""
        return cls([ModelEntry("gpt-realtime", "custom", patterns, engines=engines)])

    @classmethod
    def from_file(cls, path: Path) -> ModelRegistry:
        """Load a registry from YAML or JSON; raises :class:`RegistryError`."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RegistryError(f"{path}: {exc.strerror or exc}") from None
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as exc:
            detail = " ".join(str(exc).split())
            raise RegistryError(
                f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}: {detail}"
            ) from None
        return cls.from_dict(data, base=path.parent, source=str(path))

    @classmethod
    def from_dict(
        cls, data: object, *, base: Path | None = None, source: str = "models"
    ) -> ModelRegistry:
        """Build a registry from the configuration's parsed form."""
        if not isinstance(data, dict) or not isinstance(data.get("models", []), list):
            raise RegistryError(f"{source}: expected an object with a 'models' list")
        entries = [
            _entry(raw, base, f"{source}: models[{index}]")
            for index, raw in enumerate(data.get("models", []))
        ]
        aliases = data.get("aliases") or {}
        if not isinstance(aliases, dict):
            raise RegistryError(f"{source}: 'aliases' must map names to model names")
        return cls(entries, {str(k): str(v) for k, v in aliases.items()})

    def add_alias(self, alias: str, target: str) -> None:
        """Route ``alias`` to whatever serves ``target``."""
        if self.find(target) is None:
            raise RegistryError(f"alias {alias}: no model serves {target!r}")
        self.aliases[alias] = target

    def find(self, model: str | None) -> ModelEntry | None:
        """The entry serving ``model``, if any."""
        if not model:
            return None
        model = self.aliases.get(model, model)
        return next((entry for entry in self.entries if entry.matches(model)), None)

    def model_names(self) -> list[str]:
        """The names to list in ``GET /v1/models``."""
        return [entry.name for entry in self.entries] + list(self.aliases)

    # -- engines -------------------------------------------------------------------------

    def check(self) -> None:
        """Raise :class:`RegistryError` for an unknown kind or a role a kind lacks."""
        for entry in self.entries:
            entry.check()

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has built every entry's engines."""
        return self._pool is not None and all(id(entry) in self._sets for entry in self.entries)

    async def start(self, pool: EnginePool, *, progress: Progress | None = None) -> None:
        """Build and start every entry's engines from ``pool``; raises on the first failure.

        Raises :class:`RegistryError` for a bad entry and :class:`EngineStartError`
        (one line) for an engine that does not load. Starting again with the same pool
        does nothing; with another pool, the engines come from that one.
        """
        if self._pool is pool and self.started:
            return
        self.check()
        self._pool = pool
        self._sets.clear()
        for entry in self.entries:
            if entry.engines is not None:
                await self._start_given(entry, entry.engines, progress)
                self._sets[id(entry)] = entry.engines
                continue
            members = {
                role: await self._acquire(pool, entry, role, progress)
                for role in ROLES
                if role in REQUIRED_ROLES
                or role in entry.roles
                or role in engine_kind(entry.engine).roles
            }
            self._sets[id(entry)] = _engine_set(entry, members)

    def engines(self, model: str | None) -> EngineSet | None:
        """The started engines serving ``model``, if any (a lookup, never a load).

        ``None`` is a transcription session, which names no model: the first
        entry's engines transcribe and detect turns for it. Raises ``RuntimeError``
        before :meth:`start`.
        """
        entry = (self.entries[0] if self.entries else None) if model is None else self.find(model)
        if entry is None:
            return None
        engines = self._sets.get(id(entry))
        if engines is None:
            raise RuntimeError("the model registry is not started: await registry.start(pool)")
        return engines

    def states(self) -> dict[str, EngineState]:
        """The state of every engine: the pool's (by pool name) and the ready-made ones."""
        pooled = self._pool.states() if self._pool is not None else {}
        return {**self._given, **pooled}

    async def _acquire(
        self, pool: EnginePool, entry: ModelEntry, role: Role, progress: Progress | None
    ) -> Lifecycle:
        spec = entry.role_engine(role)
        try:
            return await pool.acquire(spec.engine, role, spec.options, progress=progress)
        except EngineStartError as exc:
            raise EngineStartError(f"model {entry.name}: {exc}") from None

    async def _start_given(
        self, entry: ModelEntry, engines: EngineSet, progress: Progress | None
    ) -> None:
        for role, engine in engines.members().items():
            name = f"{entry.name}.{role}"
            try:
                await engine.start()
            except Exception as exc:
                self._given[name] = EngineState("failed", one_line(exc))
                raise EngineStartError(f"model {entry.name}: {role}: {one_line(exc)}") from None
            self._given[name] = EngineState("ready")
            if progress is not None:
                progress(name, self._given[name])


def _engine_set(entry: ModelEntry, members: Mapping[Role, Lifecycle]) -> EngineSet:
    turn_scorer = members.get("turn_scorer")
    return EngineSet(
        responder=cast(Responder, members["responder"]),
        synthesizer=cast(Synthesizer, members["synthesizer"]),
        transcriber=cast(Transcriber, members["transcriber"]),
        vad=cast(VoiceActivityDetector, members["vad"]),
        name=entry.name,
        turn_scorer=cast(TurnScorer, turn_scorer) if turn_scorer is not None else None,
    )


def _options(raw: object, base: Path | None, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: 'options' must be an object")
    options = dict(raw)
    if base is not None:
        for key in _PATH_OPTIONS:
            value = options.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                options[key] = str(base / value)
    return options


def _entry(raw: object, base: Path | None, where: str) -> ModelEntry:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise RegistryError(f"{where}: each model needs a 'name'")
    unknown = set(raw) - _ENTRY_FIELDS
    if unknown:
        raise RegistryError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    roles: dict[Role, RoleEngine] = {}
    for role in ROLES:
        override = raw.get(role)
        if override is None:
            continue
        if not isinstance(override, dict) or not isinstance(override.get("engine"), str):
            raise RegistryError(f"{where}: '{role}' needs an 'engine' (and optional 'options')")
        extra = set(override) - {"engine", "options"}
        if extra:
            raise RegistryError(f"{where}.{role}: unknown field {sorted(extra)[0]!r}")
        options = _options(override.get("options"), base, f"{where}.{role}")
        roles[role] = RoleEngine(override["engine"], options)
    match = raw.get("match", [])
    patterns = (match,) if isinstance(match, str) else tuple(match)
    options = _options(raw.get("options"), base, where)
    return ModelEntry(raw["name"], str(raw.get("engine", "scripted")), patterns, options, roles)
