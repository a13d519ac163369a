"""Which engines serve which model names.

A registry holds model entries: a name, glob patterns that route to it, and an
engine kind with options. Aliases map further names onto entries. Engine sets are
built on first use and shared by every session of that model.

The configuration file (YAML or JSON) looks like this::

    models:
      - name: gpt-realtime          # listed by GET /v1/models
        match: ["gpt-realtime*"]    # glob patterns routed here, besides the name
        engine: scripted            # an engine kind
        options: {script: replies.yaml, pace: 1.0}
    aliases:
      my-agent: gpt-realtime

Relative paths in ``options`` resolve against the file's directory.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from . import EngineSet

__all__ = [
    "DEFAULT_PATTERNS",
    "ENGINE_KINDS",
    "ModelEntry",
    "ModelRegistry",
    "RegistryError",
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

EngineFactory = Callable[[Mapping[str, Any]], EngineSet]


def _scripted(options: Mapping[str, Any]) -> EngineSet:
    from .scripted import load_script, scripted_engines

    script = options.get("script")
    return scripted_engines(
        load_script(Path(script)) if script else None,
        pace=float(options.get("pace", 1.0)),
        ms_per_char=int(options.get("ms_per_char", 60)),
    )


ENGINE_KINDS: dict[str, EngineFactory] = {"scripted": _scripted}
"""Engine kinds by name; other engine packages add theirs here."""


class RegistryError(ValueError):
    """A bad model configuration; ``str()`` is one line."""


@dataclass
class ModelEntry:
    """One served model."""

    name: str
    engine: str = "scripted"
    match: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    engines: EngineSet | None = None
    """Pre-built engines (tests, embedding); otherwise built from ``engine`` on first use."""

    def matches(self, model: str) -> bool:
        """Whether a requested model name routes here: its name, or one of its patterns."""
        return model == self.name or any(fnmatch.fnmatchcase(model, p) for p in self.match)

    def engine_set(self) -> EngineSet:
        """This model's engines, built once."""
        if self.engines is None:
            factory = ENGINE_KINDS.get(self.engine)
            if factory is None:
                known = ", ".join(sorted(ENGINE_KINDS))
                raise RegistryError(
                    f"model {self.name}: unknown engine {self.engine!r} (known: {known})"
                )
            self.engines = factory(self.options)
        return self.engines


class ModelRegistry:
    """Model names to engines, with aliases."""

    def __init__(
        self, entries: list[ModelEntry] | None = None, aliases: Mapping[str, str] | None = None
    ) -> None:
        self.entries = list(entries or [])
        self.aliases = dict(aliases or {})

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
        """The OpenAI realtime families, served by a ready engine set."""
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
        cls, data: Any, *, base: Path | None = None, source: str = "models"
    ) -> ModelRegistry:
        """Build a registry from the configuration's parsed form."""
        if not isinstance(data, dict) or not isinstance(data.get("models", []), list):
            raise RegistryError(f"{source}: expected an object with a 'models' list")
        entries = []
        for index, raw in enumerate(data.get("models", [])):
            where = f"{source}: models[{index}]"
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                raise RegistryError(f"{where}: each model needs a 'name'")
            unknown = set(raw) - {"name", "engine", "match", "options"}
            if unknown:
                raise RegistryError(f"{where}: unknown field {sorted(unknown)[0]!r}")
            options = dict(raw.get("options") or {})
            if base is not None:
                for key in ("script", "model_path"):
                    if isinstance(options.get(key), str) and not Path(options[key]).is_absolute():
                        options[key] = str(base / options[key])
            match = raw.get("match", [])
            patterns = (match,) if isinstance(match, str) else tuple(match)
            entries.append(
                ModelEntry(raw["name"], str(raw.get("engine", "scripted")), patterns, options)
            )
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

    def engines(self, model: str | None) -> EngineSet | None:
        """The engines serving ``model``, if any.

        ``None`` is a transcription session, which names no model: the first
        entry's engines transcribe and detect turns for it.
        """
        if model is None:
            return self.entries[0].engine_set() if self.entries else None
        entry = self.find(model)
        return entry.engine_set() if entry is not None else None

    def model_names(self) -> list[str]:
        """The names to list in ``GET /v1/models``."""
        return [entry.name for entry in self.entries] + list(self.aliases)
