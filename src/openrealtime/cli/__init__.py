"""The ``openrealtime`` command line: one module per command (``serve``, ``chat``,
``conformance``, ``replay``).

Every failure the user can cause (a bad file, a bad flag value) ends with one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

from ..extras import MissingExtra
from ._errors import fail

__all__ = ["main"]

try:
    import typer
except ImportError:  # the core install has no CLI dependencies
    _HAS_TYPER = False
else:
    _HAS_TYPER = True


def _build_app() -> typer.Typer:
    from .chat import chat
    from .conformance import conformance
    from .replay import replay
    from .serve import serve

    app = typer.Typer(
        add_completion=False,
        no_args_is_help=True,
        help="A Python implementation of the OpenAI Realtime API.",
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        """A Python implementation of the OpenAI Realtime API."""

    app.command()(serve)
    app.command()(chat)
    app.command()(conformance)
    app.command()(replay)
    return app


def main() -> None:
    """Entry point of the ``openrealtime`` command."""
    args = sys.argv[1:] or ["--help"]
    if not _HAS_TYPER:
        # ``serve`` needs the whole server, the kit's commands the testing extra, ``chat``
        # only the CLI packages.
        extra = {"serve": "server", "conformance": "testing", "replay": "testing"}.get(
            args[0], "chat"
        )
        fail(f"the command line needs typer and rich: pip install 'openrealtime[{extra}]'")
    try:
        code = _build_app()(args=args, standalone_mode=False)
    except MissingExtra as exc:
        fail(str(exc))
    except typer.TyperException as exc:
        # A bad flag or value: one line, like every other user error.
        fail(" ".join(exc.format_message().split()), getattr(exc, "exit_code", 2))
    except typer.Abort:
        fail("aborted", 130)
    raise SystemExit(code if isinstance(code, int) else 0)
