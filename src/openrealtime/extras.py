"""Optional dependencies: which extra provides what, and the one-line error when one is missing.

The core install (``pydantic``, ``websockets``) covers the protocol and the client.
Everything else sits in an extra (``server``, ``local``, ``upstream``); a module that
needs one imports it where it is used, through :func:`import_extra`, so a missing
package becomes one :class:`MissingExtra` line naming the ``pip install`` that fixes it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtra", "import_extra", "install_hint", "require_extra"]


def install_hint(extra: str) -> str:
    """The command that installs ``extra``."""
    return f"pip install 'openrealtime[{extra}]'"


class MissingExtra(ImportError):
    """A feature needs a package its extra would install; ``str()`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @classmethod
    def for_module(cls, module: str, extra: str, feature: str) -> MissingExtra:
        """``feature`` needs ``module``, which the ``extra`` extra installs."""
        return cls(f"{feature} needs {module}, which is not installed: {install_hint(extra)}")


def import_extra(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtra` naming ``extra`` and ``feature``."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise MissingExtra.for_module(exc.name or module, extra, feature) from None
    except OSError as exc:  # installed, but its native library is missing (PortAudio)
        raise MissingExtra(f"{feature} needs {module}, which failed to load: {exc}") from None


def require_extra(extra: str, feature: str, *modules: str) -> None:
    """Import ``modules`` now, or raise :class:`MissingExtra` for the first one missing.

    A package calls it before the imports that need the extra, so a missing package
    is one line rather than a traceback from deep inside.
    """
    for module in modules:
        import_extra(module, extra, feature)
