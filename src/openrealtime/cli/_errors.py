"""How the command line reports a user's mistake: one line on stderr, a non-zero exit."""

from __future__ import annotations

import sys
from typing import NoReturn

__all__ = ["fail"]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``openrealtime: message`` on stderr and exit with ``code``."""
    print(f"openrealtime: {message}", file=sys.stderr)
    raise SystemExit(code)
