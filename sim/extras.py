"""Optional libraries and the install extras that bring them (pyproject.toml).

A core install (``pip install natosim``) runs, compares, sweeps on this machine, analyses a sweep's
sensitivity and writes reports. The rest is opt-in:

=========  ==========================================  =========================================
extra      brings                                      for
=========  ==========================================  =========================================
ui         solara, solara-assets, ipyvuetify<3         ``natosim ui``, ``natosim seminar``
dask       dask[distributed]                           ``natosim sweep --scheduler ADDRESS``
ema        ema_workbench, scikit-learn                 ``natosim discover``, :mod:`sim.analysis.ema`
notebook   jupyterlab, nbclient, nbformat, ipykernel   the tutorial notebook (docs/)
all        every extra above
=========  ==========================================  =========================================

Every import of an optional library goes through :func:`require`, so a missing one is said in one
line with the command that installs it (exit 2 on the command line), never a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from .scenario import ScenarioError

EXTRAS: dict[str, str] = {
    "ui": "the seminar app (natosim ui, natosim seminar)",
    "dask": "sweeps on a Dask cluster (natosim sweep --scheduler)",
    "ema": "the EMA Workbench and scenario discovery (natosim discover, sim.analysis.ema)",
    "notebook": "the tutorial notebook",
}


class MissingExtraError(ScenarioError):
    """An optional library is not installed: names the feature and the extra that brings it.

    A :class:`~sim.scenario.ScenarioError`, so the command line prints it as one line and exits 2.
    """

    def __init__(self, what: str, extra: str, module: str) -> None:
        self.what, self.extra, self.module = what, extra, module
        text = (
            f"{what} needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'natosim[{extra}]'"
        )
        ValueError.__init__(self, text)


def require(extra: str, module: str, what: str | None = None) -> ModuleType:
    """Import ``module`` (a dotted name), or raise :class:`MissingExtraError` naming ``extra``.

    ``what`` is the feature asking, in the user's words (``natosim ui``); by default the extra's
    description. Only a missing ``module`` itself (or its top-level package) is turned into the
    message: a broken installation of it still raises its own ImportError.

    >>> require("ema", "math").__name__
    'math'
    >>> require("ui", "no_such_module_natosim", "natosim ui")
    Traceback (most recent call last):
    ...
    sim.extras.MissingExtraError: natosim ui needs the 'ui' extra (no_such_module_natosim is not installed): pip install 'natosim[ui]'
    """  # noqa: E501
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r} (one of {', '.join(EXTRAS)})")
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".", maxsplit=1)[0]
        if exc.name is None or exc.name.split(".")[0] != top:
            raise
        raise MissingExtraError(what or EXTRAS[extra], extra, top) from None


def available(module: str) -> bool:
    """Whether ``module`` can be found, without importing it (a slow import, or one a child
    process will do)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check(extra: str, what: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` unless every one of ``modules`` can be found (not imported:
    for a command that hands over to another process, such as ``natosim ui`` to Solara)."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r} (one of {', '.join(EXTRAS)})")
    for module in modules:
        if not available(module):
            raise MissingExtraError(what, extra, module.split(".", maxsplit=1)[0])


__all__ = ["EXTRAS", "MissingExtraError", "available", "check", "require"]
