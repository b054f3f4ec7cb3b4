"""The ``natosim`` command line (:mod:`.commands`), its bounded argument types (:mod:`.args`) and
the
commands kept in their own modules (:mod:`.checks`, :mod:`.debate`, :mod:`.explain`). The top layer:
thin shells over the library.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .commands import main


def __getattr__(name: str):
    """``sim.cli.main`` and the rest of :mod:`.commands` (imported on first use, so that modules
    below
    the command line can import :mod:`.args` without loading every command)."""
    if name.startswith("__") or name == "commands":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    commands = importlib.import_module(".commands", __name__)
    try:
        return getattr(commands, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = ["main"]
