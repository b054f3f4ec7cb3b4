"""The machine's limits as the command meets them: what a library raises when an address-space
or process limit (``ulimit -v``, ``ulimit -u``) leaves it too little, said in one line instead
of a traceback (a limit, not a bug), and the command process's own economy under such a limit
(:func:`fewer_malloc_arenas`). Used by :mod:`sim.cli.commands`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

try:  # loaded now, while there is room: under the limit it is asked about, it could not be mapped
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it was raised from or during (its cause and context, theirs in turn),
    each once: a library may wrap the machine's refusal in its own exception."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]


def out_of_threads(exc: BaseException) -> BaseException | None:
    """Whether ``exc`` is a library's report that a thread could not be started (pyarrow raises
    ``ArrowException: ... Failed to launch worker thread`` under a tight ``ulimit -v``): a limit
    of the machine, not a bug, so a one-line message instead of a traceback. The refusal may be
    the cause or context of what reaches the command (:func:`_chain`); the one that says so is
    returned (else None)."""
    for current in _chain(exc):
        text = str(current)
        if "launch worker thread" in text or "can't start new thread" in text:
            return current
    return None


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` was raised from a Ctrl-C or SIGTERM (a KeyboardInterrupt in its chain).
    A signal that lands while a compiled module initialises (Matplotlib's ``ft2font``, imported
    by a report) turns into ``ImportError: initialization failed`` raised from the
    KeyboardInterrupt: found by sending SIGTERM during reports on a loaded machine (a traceback,
    then Python aborting at exit, -6)."""
    return any(isinstance(current, KeyboardInterrupt) for current in _chain(exc))


def _thread_refused(exc: BaseException) -> str:
    return (
        "natosim: error: the system refused a new thread (an address-space or process "
        f"limit, such as ulimit -v or -u): {exc}; raise the limit or run fewer at once"
    )


OUT_OF_MEMORY_LOADING = (
    "natosim: error: out of memory while loading its libraries (an address-space limit, such "
    "as ulimit -v, too tight for them); raise the limit"
)


MALLOC_ARENAS = 2  # glibc's malloc arenas for the command's process (its default: 8 per core)


def fewer_malloc_arenas() -> None:
    """At most :data:`MALLOC_ARENAS` malloc arenas in this process (glibc on Linux; elsewhere,
    or where ``MALLOC_ARENA_MAX`` is set, nothing is changed).

    glibc gives a thread that allocates a new arena, each reserving 64 MB of address space; the
    reader threads pyarrow starts for a report took two more, which an address-space limit then
    lacked for the figures (`natosim report` at `ulimit -v 760000` failed drawing with
    ``std::bad_alloc``; with two arenas it succeeds from 600000). The command's threads are few
    and hold the GIL for most allocations, so sharing arenas costs nothing measurable here."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    import ctypes  # noqa: PLC0415

    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-8, MALLOC_ARENAS)  # M_ARENA_MAX (malloc.h)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): its default stands
        pass


def library_not_mapped(exc: BaseException) -> bool:
    """Whether ``exc`` is the dynamic loader's failure to map a compiled library under an
    address-space limit (``ImportError: ....so: failed to map segment from shared object``:
    Matplotlib's renderer, loaded late, at `ulimit -v 570000`; SciPy's, loaded by a report, at
    540000): out of memory, not a missing library. Without a limit the same words can mean a
    folder mounted noexec: not this. A library may re-raise the loader's error as its own
    (:func:`_chain`). ``resource`` is imported with this module, not here: a compiled module
    itself, it could not be mapped under that limit."""
    if resource is None or resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY:
        return False
    return any(
        isinstance(current, ImportError) and "failed to map segment" in str(current)
        for current in _chain(exc)
    )


def own_source_not_compiled(exc: BaseException) -> bool:
    """Whether ``exc`` is Python failing to compile one of natosim's own modules under an
    address-space limit. Where no cached bytecode can be read (a fresh clone, a read-only tree,
    ``PYTHONPYCACHEPREFIX``), a module imported late is compiled from source; Python 3.12's
    parser, out of memory there, reports ``SyntaxError: invalid syntax`` at a line that is
    valid (3.11 raises MemoryError). CI met it: `natosim discover` of a sweep at `ulimit -v
    505000` named ``sim/model/alliance.py``. The package's source compiles (``make lint``
    parses every file), so under a limit this is the limit; without one, a syntax error is a
    bug and keeps its traceback."""
    if resource is None or resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY:
        return False
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    current: BaseException | None = exc
    while current is not None:  # what it was raised from or during, unless that was hidden
        where = getattr(current, "filename", None) or ""
        if (
            type(current) is SyntaxError  # not an IndentationError: those are real
            and current.msg == "invalid syntax"  # the parser's words when it ran out
            and os.path.isabs(where)  # not "<string>" (an --outcome expression, say)
            and os.path.commonpath([where, package]) == package
        ):
            return True
        hidden = current.__suppress_context__
        current = current.__cause__ or (None if hidden else current.__context__)
    return False


def machine_limit_message(exc: BaseException) -> str | None:
    """The one-line message for ``exc`` if it is the machine's limit rather than a bug (a
    library that cannot be mapped, or a module of natosim's that cannot be compiled, under an
    address-space limit; a thread the system refused), else None."""
    if library_not_mapped(exc) or own_source_not_compiled(exc):
        return OUT_OF_MEMORY_LOADING
    refusal = out_of_threads(exc)
    return None if refusal is None else _thread_refused(refusal)
