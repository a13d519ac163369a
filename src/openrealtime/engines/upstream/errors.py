"""Upstream failures as :class:`EngineError`: the upstream's own message, a stable code."""

from __future__ import annotations

import re
from collections.abc import Mapping

import openai

from ..base import EngineError
from .options import UpstreamOptions

__all__ = ["upstream_error"]

_CODE = re.compile(r"[a-z][a-z0-9_]*")


def upstream_error(exc: openai.OpenAIError, options: UpstreamOptions) -> EngineError:
    """The engine error for an SDK exception raised while talking to an upstream.

    The code is the upstream's own when it sends one that reads like a code (OpenAI's
    ``insufficient_quota``, ``rate_limit_exceeded``); otherwise ``upstream_timeout``,
    ``upstream_unavailable`` or ``upstream_error``.
    """
    where = options.where
    if isinstance(exc, openai.APITimeoutError):
        return EngineError(
            f"upstream {where} timed out after {options.timeout:g} s", code="upstream_timeout"
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        detail = f": {' '.join(str(cause).split())}" if cause is not None and str(cause) else ""
        return EngineError(f"cannot reach upstream {where}{detail}", code="upstream_unavailable")
    if isinstance(exc, openai.APIStatusError):
        message = _message(exc.body) or exc.message
        return EngineError(
            f"upstream {where} answered {exc.status_code}: {message}", code=_code(exc)
        )
    if isinstance(exc, openai.APIError):
        return EngineError(
            f"upstream {where} failed: {_message(exc.body) or exc.message}", code=_code(exc)
        )
    return EngineError(f"upstream {where} failed: {exc}", code="upstream_error")


def _message(body: object) -> str | None:
    if isinstance(body, Mapping):
        message = body.get("message")
        if isinstance(message, str) and message.strip():
            return " ".join(message.split())
    if isinstance(body, str) and body.strip():
        return " ".join(body.split())[:500]
    return None


def _code(exc: openai.APIError) -> str:
    code = exc.code
    return code if code is not None and _CODE.fullmatch(code) else "upstream_error"
