"""The ``openrealtime`` command line: one module per command (``serve``, ``conformance``,
``replay``).

Every failure the user can cause (a bad file, a bad flag value) ends with one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

from ._errors import fail

__all__ = ["main"]

try:
    import typer
except ImportError:  # the core install has no CLI dependencies
    typer = None  # type: ignore[assignment]


def _build_app() -> typer.Typer:
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
    app.command()(conformance)
    app.command()(replay)
    return app


def main() -> None:
    """Entry point of the ``openrealtime`` command."""
    if typer is None:
        fail("the command line needs the server extra: pip install 'openrealtime[server]'")
    args = sys.argv[1:] or ["--help"]
    try:
        code = _build_app()(args=args, standalone_mode=False)
    except typer.TyperException as exc:
        # A bad flag or value: one line, like every other user error.
        fail(" ".join(exc.format_message().split()), getattr(exc, "exit_code", 2))
    except typer.Abort:
        fail("aborted", 130)
    raise SystemExit(code if isinstance(code, int) else 0)
