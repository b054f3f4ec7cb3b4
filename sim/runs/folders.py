"""Output folders: checked, reserved and written whole or not at all.

Every command that writes checks its output location before it computes (:func:`check_folder`),
reserves it with a lock file beside it (:func:`claimed_folder`) so that no two commands write into
one folder, and writes into a hidden temporary folder that is renamed into place at the end
(:func:`atomic_folder`), so an interrupted or failed command leaves no partial results folder.
Light on purpose (the standard library, and ``filelock`` when a command writes): the command line
imports it before anything heavy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def default_folder(root: Path, scenario_name: str) -> Path:
    """``root/<scenario>/<UTC timestamp>``, made unique if that name is taken (two commands
    started in the same second are kept apart by :func:`claimed_folder` with ``unique=True``)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = root / scenario_name / stamp
    path, i = base, 1
    while path.exists():
        path, i = base.with_name(f"{stamp}-{i}"), i + 1
    return path


def _real(folder: Path) -> Path:
    """``folder`` with every link in its path followed: the folder the results go to (a
    missing last part is kept as given)."""
    return Path(os.path.realpath(folder))


def _lock_path(folder: Path) -> Path:
    """The lock file beside the folder ``folder`` leads to (found by fuzzing: ``--out link``
    and ``--out target`` took two locks, and two commands wrote into one folder)."""
    real = _real(folder)
    return real.parent / f".{real.name}.lock"


class _Lock:
    """``folder``'s lock: an OS lock (``flock``, through the ``filelock`` library) on
    ``.<name>.lock`` beside it. The operating system releases it when its process ends, however
    it ends, so the lock of a killed command is never held: the next command takes it over (and
    removes the temporary folders the killed one left)."""

    def __init__(self, folder: Path) -> None:
        from filelock import FileLock  # noqa: PLC0415 (imported only when a command writes)

        self.path = _lock_path(folder)
        self._lock = FileLock(self.path, timeout=0, thread_local=False)

    def take(self) -> bool:
        """Take the lock without waiting; False if another command (or this one) holds it."""
        from filelock import Timeout  # noqa: PLC0415

        try:
            self._lock.acquire()
        except Timeout:
            return False
        return True

    def release(self) -> None:
        """Remove the lock file, then release the lock (a command that opened the file an
        instant before sees it unlinked and does not count it as taken)."""
        self.path.unlink(missing_ok=True)
        self._lock.release()


def _take_lock(folder: Path) -> _Lock | None:
    """Take ``folder``'s lock and clean the temporary folders a killed writer left; None if a
    running command holds it."""
    lock = _Lock(folder)
    if not lock.take():
        return None
    real = _real(folder)  # a killed writer's temporary folder is beside what the link names
    # atomic_folder's names for this folder only (a suffix without a dot): the glob ".v1.*"
    # also matched ".v1.2.tmp-...", the folder of a command writing v1.2 at that moment, whose
    # results were then lost (found by review); ".v1.tmp-x.tmp-..." is folder v1.tmp-x's
    own = re.compile(re.escape(f".{real.name}.tmp-") + r"[A-Za-z0-9_-]+")
    for stale in real.parent.glob(f".{glob.escape(real.name)}.tmp-*"):
        if own.fullmatch(stale.name) and stale.is_dir():  # a killed writer's (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
    return lock


def _unwritable(folder: Path) -> str | None:
    """Why no file can be created in ``folder`` (tried: a read-only mount, ``/proc`` or a
    folder without write permission each fail differently, and ``os.access`` says yes to root
    for all of them), or None if one can."""
    try:
        fd, name = tempfile.mkstemp(prefix=".natosim-probe-", dir=folder)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return None


def check_utf8(path: Path, flag: str | None = None) -> None:
    """Refuse a path whose name is not UTF-8 text (bytes such as ``\\xff``, which Python holds
    as surrogates): pyarrow, which writes and reads the tables, cannot encode it (found by
    fuzzing: ``--out $'\\xff'`` computed the runs, then ended in a UnicodeEncodeError traceback;
    a results folder so named was refused as "a readable table")."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(str(path)).decode("utf-8", "backslashreplace")  # r\xff, as typed
        raise ScenarioError(
            flag or shown,
            shown if flag else "(name)",
            "a path in UTF-8 text (the Parquet library cannot use a name with other bytes; "
            "rename it)",
        ) from None


def check_writable(folder: Path, flag: str) -> None:
    """Refuse, before any work, a folder a command writes into that cannot take a new file."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    check_utf8(folder, flag)
    reason = _unwritable(Path(folder))
    if reason is not None:
        raise ScenarioError(flag, str(folder), f"a folder this command can write in ({reason})")


def check_folder(folder: Path, flag: str = "--out") -> list[Path]:
    """Refuse, before any computing, an output location that cannot be used: a file, a folder
    that is not empty, a path under a file, a location that is not writable, a name too long.
    Returns the missing folders above ``folder`` (outermost first), which the caller creates."""
    from ..scenario import ScenarioError  # noqa: PLC0415 (the scenario package imports this one)

    if any(ord(c) < 32 or ord(c) == 127 for c in str(folder)):
        # a newline or a control character: a folder no listing or message shows as typed
        # (found by fuzzing: `--out $'a\nb'` printed its results line across two lines)
        raise ScenarioError(flag, repr(str(folder)), "a folder name without control characters")
    check_utf8(folder, flag)
    try:
        if folder.is_symlink() and not folder.exists():
            target = os.readlink(folder)
            raise ScenarioError(
                flag, str(folder), f"a folder (this is a link to {target}, which does not exist)"
            )
        if folder.exists():
            if not folder.is_dir():
                raise ScenarioError(flag, str(folder), "a folder (this is a file)")
            if any(folder.iterdir()):
                held = ""
                if (folder / "sweep.json").is_file():
                    held = f" (it holds a sweep: natosim sweep --resume {folder} finishes it)"
                elif (folder / "manifest.json").is_file():
                    held = (
                        f" (it holds an earlier command's results: natosim report {folder} "
                        "draws their report)"
                    )
                raise ScenarioError(
                    flag, str(folder), "a folder that does not exist or is empty" + held
                )
        missing, parent = [], folder.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        if not parent.is_dir():
            raise ScenarioError(flag, str(folder), f"a path under a folder ({parent} is a file)")
        reason = _unwritable(folder if folder.is_dir() else parent)
        if reason is not None:
            where = folder if folder.is_dir() else parent
            raise ScenarioError(flag, str(folder), f"a writable location ({where}: {reason})")
    except OSError as exc:
        raise ScenarioError(flag, str(folder), f"a usable path ({exc.strerror})") from None
    return missing[::-1]


@contextlib.contextmanager
def claimed_folder(
    folder: Path, flag: str = "--out", unique: bool = False, existing: bool = False
) -> Iterator[Path]:
    """Check and reserve ``folder`` for one command before it computes anything.

    A lock beside the folder (``.<name>.lock``, an OS file lock through ``filelock``) keeps a
    second command from writing into the same folder; it is released on every exit, and by the
    operating system when a command is killed. With ``unique``
    (a default folder name), a taken name is replaced by ``<name>-1``, ``<name>-2``, ... instead
    of refused, so two commands started in the same second never collide. Folders created
    above ``folder`` are removed again if nothing was written into them.
    """
    from ..scenario import ScenarioError  # noqa: PLC0415

    folder = Path(folder)
    created: list[Path] = []
    lock = None
    if existing:  # a folder being finished (--resume): only the lock
        check_writable(folder, flag)
        lock = _take_lock(folder)
        if lock is None:
            raise ScenarioError(
                flag, str(folder), "a folder that no other natosim command is writing to"
            )
    for i in range(1, 1000 if not existing else 1):
        try:
            missing = check_folder(folder, flag)
        except ScenarioError:
            if not unique or not folder.exists():
                raise
            folder = folder.with_name(f"{folder.name.split('-')[0]}-{i}")
            continue
        try:
            for d in missing:
                d.mkdir(exist_ok=True)
                created.append(d)
        except OSError as exc:
            for d in reversed(created):
                with contextlib.suppress(OSError):
                    d.rmdir()
            raise ScenarioError(
                flag, str(folder), f"a writable location ({exc.strerror})"
            ) from None
        lock = _take_lock(folder)
        if lock is not None:
            break
        if not unique:
            raise ScenarioError(
                flag, str(folder), "a folder that no other natosim command is writing to"
            )
        folder = folder.with_name(f"{folder.name.split('-')[0]}-{i}")
    else:
        if not existing:
            raise ScenarioError(flag, str(folder), "a free folder name")
    try:
        yield folder
    finally:
        if lock is not None:
            lock.release()
        for d in reversed(created):
            with contextlib.suppress(OSError):
                d.rmdir()  # only if empty: nothing was written under it


@contextlib.contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``folder``; rename it to ``folder`` on success,
    delete it on any error or interruption. Refuses a ``folder`` that exists and is not empty."""
    folder = Path(folder)
    if folder.is_symlink() and folder.is_dir():
        # a link to an empty folder (checked by check_folder): the results go into the folder
        # it names, and the link still leads to them (found by fuzzing: the run was computed,
        # then lost, with exit 1 and "[Errno 20] Not a directory", when the link was replaced)
        folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} exists and is not empty")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        yield tmp
        if folder.exists():
            folder.rmdir()
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: into a hidden file beside it, renamed over it at the
    end (an interrupted command leaves the previous file, never half of a new one)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed: ``natosim`` and its arguments, shell-quoted."""
    return shlex.join(["natosim", *(sys.argv[1:] if argv is None else argv)])


# -- reading a finished folder -------------------------------------------------------------------

_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", type(None): "null"}

# what each kind of folder's JSON must hold for a report to be built from it: key -> type
_RUN_MANIFEST = {
    "scenario": dict,
    "replications": int,
    "command": str,
    "natosim_version": str,
    "git_commit": str,
}
_COMPARE_MANIFEST = {"scenarios": list, "replications": int, "command": str}
_DEBATE_MANIFEST = {"replications": int, "root_seed": int, "worlds": list, "command": str}
_SWEEP_META = {"spec": dict, "base": dict, "points": int, "command": str}


def read_json_object(path: Path, needs: dict[str, type] | None = None) -> dict:
    """A JSON file that natosim wrote (``manifest.json``, ``sweep.json``) read back: refused
    with one message naming the file (and the key) if it is unreadable, not a JSON object, or
    lacks a key ``needs`` names (or holds it with another type)."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        raise ScenarioError(str(path), "(file)", f"a readable JSON file ({why})") from None
    if not isinstance(doc, dict):
        this = _JSON_KINDS.get(type(doc), "a number" if isinstance(doc, int | float) else "")
        raise ScenarioError(str(path), "(content)", f"a JSON object (this is {this or 'not'})")
    for key, kind in (needs or {}).items():
        value = doc.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            what = _JSON_KINDS.get(kind, "an integer" if kind is int else kind.__name__)
            got = "missing" if key not in doc else repr(value)[:60]
            raise ScenarioError(str(path), key, f"{what}, as natosim writes it (got {got})")
    return doc


def _check_run_manifest(path: Path) -> None:
    from ..scenario import ScenarioError, scenario_from_dict  # noqa: PLC0415

    man = read_json_object(path, _RUN_MANIFEST)
    for key in ("versions", "data_sha256"):
        if key in man and not isinstance(man[key], dict):
            raise ScenarioError(str(path), key, "an object, as natosim writes it", man[key])
    try:
        scenario_from_dict(man["scenario"])
    except ScenarioError as exc:
        raise ScenarioError(str(path), f"scenario: {exc.key}", exc.expected, exc.got) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ScenarioError(
            str(path), "scenario", f"a scenario as natosim writes it ({type(exc).__name__})"
        ) from None


# The columns that say which table a file is (what every reader of a run folder indexes): a
# table of another kind saved under this name (an events table as summary.parquet) was read and
# failed later with a KeyError traceback in explain and compare (found by fuzzing).
_TABLE_COLUMNS = {
    "model": ("run", "year", "eu_core_pct"),
    "allies": ("run", "year", "iso3"),
    "events": ("run", "year", "kind"),
    "summary": ("run", "verdict"),
    "worlds": ("run",),
    "probe_options": ("run", "year", "target", "probability"),
}


def _table_columns(parquet: Path, csv: Path) -> list[str] | None:
    """The column names of a table (from the Parquet footer, read in microseconds, or the CSV
    header line), None if neither file is there; refused, naming the file, if unreadable."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    if parquet.is_file():
        import pyarrow.parquet as pq  # noqa: PLC0415 (only when a folder is read)

        try:
            return list(pq.read_schema(parquet).names)
        except Exception as exc:  # pyarrow raises several kinds
            reason = str(exc).split(".")[0][:120]
            raise ScenarioError(str(parquet), "(file)", f"a readable table ({reason})") from None
    if csv.is_file():
        import csv as csvlib  # noqa: PLC0415

        try:
            with csv.open(encoding="utf-8", newline="") as fh:
                return next(csvlib.reader(fh), [])
        except (OSError, UnicodeDecodeError, csvlib.Error) as exc:
            why = getattr(exc, "strerror", None) or type(exc).__name__
            raise ScenarioError(str(csv), "(file)", f"a readable table ({why})") from None
    return None


def _check_tables(folder: Path) -> None:
    """Every table of a run folder present (``worlds`` and ``probe_options`` only if written)
    and readable: for Parquet, its footer (a damaged or truncated file is refused before any
    figure is drawn); then each with the columns that say which table it is."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    columns = {}
    for table in _TABLE_COLUMNS:
        parquet, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
        columns[table] = _table_columns(parquet, csv)
        if columns[table] is None and table in ("model", "allies", "events", "summary"):
            raise ScenarioError(str(folder), "(folder)", f"a results folder with its {table} table")
    for table, names in columns.items():
        if not names:  # not written, or written with no columns (every run failed)
            continue
        missing = [c for c in _TABLE_COLUMNS[table] if c not in names]
        if missing:
            path = folder / f"{table}.parquet"
            path = path if path.is_file() else folder / f"{table}.csv"
            raise ScenarioError(
                str(path),
                "(columns)",
                f"the {table} table natosim writes, with columns "
                f"{', '.join(_TABLE_COLUMNS[table])} (missing: {', '.join(missing)})",
            )


def check_run_folder(folder: Path) -> None:
    """Refuse a finished results folder of one scenario (``natosim compare`` reads it beside
    scenarios) whose manifest or tables are not what ``natosim run`` writes."""

    folder = Path(folder)
    check_utf8(folder)
    _check_run_manifest(folder / "manifest.json")
    read_json_object(folder / "manifest.json", {"root_seed": int, "replication_seeds": list})
    _check_tables(folder)


def _other_kind(folder: Path, inside: bool = True) -> str | None:
    """What ``folder`` is when it is not a folder a report is built from, said with what to do
    instead: another command's folder (hindcast, checks, calibrate, a seminar's), or (with
    ``inside``) a folder that holds results folders. None if it looks like none of them."""
    if (folder / "hindcast.csv").is_file() or (folder / "skill.csv").is_file():
        return (
            "this is a folder of natosim hindcast: its figure is hindcast.png and its scores "
            "skill.txt; there is no report to build"
        )
    if (folder / "checks.csv").is_file():
        return "this is a folder of natosim checks: its table is checks.csv; there is no report"
    fits = sorted(folder.glob("fitted_*.toml"))
    if fits:
        return (
            f"this is a folder of natosim calibrate: its fit is {fits[0].name}, which a "
            "scenario extends; there is no report to build"
        )
    if (folder / "session.json").is_file():
        return (
            f"this is a saved seminar session: natosim seminar --resume {folder} brings it "
            "back; a seminar's export holds the class's results"
        )
    if not inside:
        return None
    runs = [
        sub.name
        for sub in sorted(folder.iterdir())
        if sub.is_dir()
        and not sub.name.startswith(".")
        and (
            (sub / "sweep.json").is_file()
            or ((sub / "manifest.json").is_file() and _other_kind(sub, inside=False) is None)
        )
    ]
    if runs:
        shown = ", ".join(runs[:3]) + (f" and {len(runs) - 3} more" if len(runs) > 3 else "")
        return f"this folder holds results folders, {shown}: name one, such as {folder / runs[0]}"
    return None


def not_a_run_folder(folder: Path) -> str | None:
    """Why ``folder`` (a folder) is not one run's results folder, which ``natosim explain`` and
    ``natosim compare`` read, when it is another command's folder: what it is and what to give
    instead; None if it is none of those (it may still be a run folder, or damaged)."""
    if (folder / "sweep.json").is_file():
        return "this is a sweep's folder (natosim report, sensitivity and discover read it)"
    if (folder / "comparison.csv").is_file():
        subs = [d.name for d in sorted(folder.iterdir()) if (d / "manifest.json").is_file()]
        first = f": {folder / subs[0]} is one of its runs" if subs else ""
        return f"this is a comparison's folder{first}"
    if (folder / "debate.csv").is_file():
        return "this is a debate's folder (natosim report draws it)"
    return _other_kind(folder)


def check_results_folder(
    folder: Path, flag: str = "folder", *, check_sweep: Callable[[Path], Any], tables: bool = True
) -> None:
    """Refuse, before any work, a folder a report cannot be built from: not a folder, no
    ``manifest.json`` or ``sweep.json``, one that is not the JSON object natosim writes (a
    ``[]``, a ``null``, a missing key), a comparison naming scenarios it does not hold, or a
    folder in which no file can be written. A sweep's folder is also checked by
    ``check_sweep`` (the sweeps layer's :func:`sim.sweeps.api.check_resumable`, which the
    command passes down: its spec and parts are the sweeps' to read). ``tables=False`` leaves a
    run's tables unread, so that a command can first check its options against the manifests
    (``report --year``), then call again for the tables."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    folder = Path(folder)
    expected = "a results folder of run, compare, sweep or debate"
    try:
        if not folder.is_dir():
            raise ScenarioError(str(folder), "(folder)", expected)
        if (folder / "sweep.json").exists():
            read_json_object(folder / "sweep.json", _SWEEP_META)
            check_sweep(folder)
        elif (folder / "comparison.csv").exists():
            man = read_json_object(folder / "manifest.json", _COMPARE_MANIFEST)
            names = man["scenarios"]
            ok = all(isinstance(n, str) and re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", n) for n in names)
            if not names or not ok:
                raise ScenarioError(
                    str(folder / "manifest.json"),
                    "scenarios",
                    "the names of the scenarios compared",
                )
            for name in names:
                _check_run_manifest(folder / name / "manifest.json")
                if tables:
                    _check_tables(folder / name)
        elif (folder / "debate.csv").exists():
            read_json_object(folder / "manifest.json", _DEBATE_MANIFEST)
        elif (other := _other_kind(folder)) is not None:
            raise ScenarioError(str(folder), "(folder)", f"{expected} ({other})")
        elif (folder / "manifest.json").exists():
            _check_run_manifest(folder / "manifest.json")
            if tables:
                _check_tables(folder)
        else:
            raise ScenarioError(str(folder), "(folder)", f"{expected} (no manifest.json)")
    except OSError as exc:
        raise ScenarioError(str(folder), "(folder)", f"{expected} ({exc.strerror})") from None
    check_writable(folder, flag)
