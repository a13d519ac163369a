"""Engine kinds: the names a model registry uses, and how each builds its engines.

A kind registers one factory per role it provides (:func:`register_kind`). A factory
takes the model's options (a JSON-like mapping) and returns an engine that is not
started yet: it imports its extra where it is called, raising :class:`MissingExtra`
(one line) when the extra is absent, and leaves loading to the engine's ``start()``.
Factories run in a worker thread, so a slow import never holds the event loop.

``option_keys`` names, per role, the options that role's engine reads: the pool keys
engines by those alone, so two models that differ only in, say, the voice share one
language model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..extras import import_extra
from .base import (
    Lifecycle,
    Responder,
    Role,
    Synthesizer,
    Transcriber,
    TurnScorer,
    VoiceActivityDetector,
)
from .local_kind import LOCAL_ROLES
from .local_kind import OPTION_KEYS as LOCAL_OPTION_KEYS

__all__ = [
    "REQUIRED_ROLES",
    "ROLES",
    "ROLE_PROTOCOLS",
    "EngineFactory",
    "EngineKind",
    "UnknownKind",
    "engine_kind",
    "kind_names",
    "register_kind",
]

EngineFactory = Callable[[Mapping[str, Any]], Lifecycle]
"""Builds one role's engine from options; the engine is started later."""

ROLES: Final[tuple[Role, ...]] = ("responder", "synthesizer", "transcriber", "vad", "turn_scorer")
REQUIRED_ROLES: Final[tuple[Role, ...]] = ("responder", "synthesizer", "transcriber", "vad")
"""Every model has these; ``turn_scorer`` is optional."""

ROLE_PROTOCOLS: Final[dict[Role, type]] = {
    "responder": Responder,
    "synthesizer": Synthesizer,
    "transcriber": Transcriber,
    "vad": VoiceActivityDetector,
    "turn_scorer": TurnScorer,
}
"""The interface an engine of each role implements (checked when it is built)."""


class UnknownKind(ValueError):
    """A kind name nobody registered, or a role a kind does not provide; one line."""


@dataclass(frozen=True)
class EngineKind:
    """A named way to build engines, one factory per role it provides."""

    name: str
    roles: Mapping[Role, EngineFactory]
    option_keys: Mapping[Role, frozenset[str]] = field(default_factory=dict)

    def options_for(self, role: Role, options: Mapping[str, Any]) -> dict[str, Any]:
        """The options ``role``'s engine reads: all of them unless the kind says which."""
        keys = self.option_keys.get(role)
        return dict(options) if keys is None else {k: v for k, v in options.items() if k in keys}

    def factory(self, role: Role) -> EngineFactory:
        """The factory of ``role``; raises :class:`UnknownKind` when the kind has none."""
        factory = self.roles.get(role)
        if factory is None:
            provided = ", ".join(self.roles)
            raise UnknownKind(f"engine kind {self.name!r} has no {role} (it provides {provided})")
        return factory


_KINDS: dict[str, EngineKind] = {}


def register_kind(
    name: str,
    *,
    roles: Mapping[Role, EngineFactory],
    option_keys: Mapping[Role, Collection[str]] | None = None,
) -> None:
    """Make ``name`` usable in model entries; registering a name again replaces it."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles for engine kind {name!r}: {sorted(unknown)}")
    keys = {role: frozenset(names) for role, names in (option_keys or {}).items()}
    _KINDS[name] = EngineKind(name, dict(roles), keys)


def engine_kind(name: str) -> EngineKind:
    """The registered kind ``name``; raises :class:`UnknownKind` naming the known ones."""
    kind = _KINDS.get(name)
    if kind is None:
        raise UnknownKind(f"unknown engine {name!r} (known: {', '.join(kind_names())})")
    return kind


def kind_names() -> list[str]:
    """The registered kind names, sorted."""
    return sorted(_KINDS)


# -- the scripted kind -----------------------------------------------------------------


def _scripted_module() -> Any:
    return import_extra("openrealtime.engines.scripted", "server", "the scripted engine")


def _ms_per_char(options: Mapping[str, Any]) -> float:
    return float(options.get("ms_per_char", 60))


def _scripted_responder(options: Mapping[str, Any]) -> Lifecycle:
    scripted = _scripted_module()
    script = options.get("script")
    loaded = scripted.load_script(Path(script)) if script else None
    responder: Lifecycle = scripted.ScriptedResponder(loaded, ms_per_char=_ms_per_char(options))
    return responder


def _scripted_synthesizer(options: Mapping[str, Any]) -> Lifecycle:
    synthesizer: Lifecycle = _scripted_module().ScriptedSynthesizer(
        ms_per_char=_ms_per_char(options), pace=float(options.get("pace", 1.0))
    )
    return synthesizer


def _scripted_transcriber(options: Mapping[str, Any]) -> Lifecycle:
    transcriber: Lifecycle = _scripted_module().ScriptedTranscriber(
        ms_per_char=_ms_per_char(options)
    )
    return transcriber


def _scripted_vad(options: Mapping[str, Any]) -> Lifecycle:
    vad: Lifecycle = _scripted_module().EnergyVad()
    return vad


def _scripted_turn_scorer(options: Mapping[str, Any]) -> Lifecycle:
    scorer: Lifecycle = _scripted_module().PunctuationTurnScorer()
    return scorer


register_kind(
    "scripted",
    roles={
        "responder": _scripted_responder,
        "synthesizer": _scripted_synthesizer,
        "transcriber": _scripted_transcriber,
        "vad": _scripted_vad,
        "turn_scorer": _scripted_turn_scorer,
    },
    option_keys={
        "responder": ("script", "ms_per_char"),
        "synthesizer": ("pace", "ms_per_char"),
        "transcriber": ("ms_per_char",),
        "vad": (),
        "turn_scorer": (),
    },
)


# -- the local kind ---------------------------------------------------------------------

register_kind("local", roles=LOCAL_ROLES, option_keys=LOCAL_OPTION_KEYS)
"""The embedded offline stack (:mod:`openrealtime.engines.local_kind`)."""


# -- the upstream kinds ------------------------------------------------------------------


def _upstream_module(kind: str) -> Any:
    return import_extra("openrealtime.engines.upstream", "upstream", f"the {kind} engine")


def _upstream_responder(options: Mapping[str, Any]) -> Lifecycle:
    responder: Lifecycle = _upstream_module("openai-chat").ChatResponder.from_options(options)
    return responder


def _upstream_transcriber(options: Mapping[str, Any]) -> Lifecycle:
    module = _upstream_module("openai-transcriptions")
    transcriber: Lifecycle = module.TranscriptionsTranscriber.from_options(options)
    return transcriber


def _upstream_synthesizer(options: Mapping[str, Any]) -> Lifecycle:
    synthesizer: Lifecycle = _upstream_module("openai-speech").SpeechSynthesizer.from_options(
        options
    )
    return synthesizer


register_kind("openai-chat", roles={"responder": _upstream_responder})
register_kind("openai-transcriptions", roles={"transcriber": _upstream_transcriber})
register_kind("openai-speech", roles={"synthesizer": _upstream_synthesizer})
