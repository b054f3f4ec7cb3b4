"""Reading scenario files: TOML, ``extends`` chains, validation against the schema.

Every file in a chain is validated on its own (so an error names the file it is in), then the
chain is merged parent first: tables merge key by key, a series given by a child replaces the
parent's, and events add up unless the child sets ``replace_events = true``.
"""

from __future__ import annotations

import errno
import re
import stat
import tomllib
from os import PathLike
from pathlib import Path
from typing import Any

from .. import data
from .catalogue import CATALOGUE, ScenarioError, check_cross_fields, check_param
from .paths import did_you_mean, resolve_scenario_path, scenario_names, shipped_scenario
from .scenario import Scenario
from .schema import EVENT_KINDS, Event, is_finite_number
from .uncertainty import check_uncertainty

TARGETED_KINDS = ("russia_probe", "accession", "greyzone_surge")  # event kinds with a target
# event kinds that read a magnitude (sim.model.events.apply_event); the others have none
MAGNITUDE_KINDS = tuple(
    k for k in EVENT_KINDS if k not in ("russia_probe", "accession", "european_command")
)
# a kind's magnitude where its unit is a 0-1 index or fraction (sim.model.events.apply_event:
# us_pressure was capped at 1 without a word, a drawdown over 1 cut more than the posture);
# a summit's or pledge's target is (0, 15] % of GDP; the other kinds' amounts 0-100
UNIT_MAGNITUDE = {
    "russian_aggression": "an index 0-1 of aggression",
    "us_drawdown": "a fraction 0-1 of the 2025 posture",
    "us_pressure": "a threat signal 0-1",
}


def magnitude_expected(kind: str, mag: float) -> str:
    """What ``kind``'s magnitude must be when ``mag`` (a finite number in [0, 100]) is not it,
    else "": one rule for scenario files and the seminar's injections."""
    if kind in UNIT_MAGNITUDE and mag > 1:
        return f"for {kind}, {UNIT_MAGNITUDE[kind]}"
    if kind in ("summit", "pledge") and not 0 < mag <= 15:
        return f"for {kind}, a core target in (0, 15] % of GDP"
    return ""


META_KEYS = {"name", "description", "claims", "hypothesis", "extends", "replace_events"}
TABLE_KEYS = set(CATALOGUE.by_section) | {"series", "events", "uncertainty"}
CLAIM_RE = re.compile(r"^C(1[0-9]|[1-9])$")
NAME_RE = re.compile(r"[A-Za-z0-9_\-]{1,64}")
MAX_FILE_BYTES = 1_000_000  # the largest shipped scenario is 6 kB
MAX_TEXT = 20_000  # characters in a description, hypothesis or note
MAX_CHAIN = 32  # files in an extends chain (the shipped ones use three)
MAX_REF = 255  # characters in an extends reference (a file name's limit on most systems)


def _check_series(file: str, raw: Any) -> dict[str, tuple[tuple[int, float], ...]]:
    if not isinstance(raw, dict):
        raise ScenarioError(file, "series", "a table of series", raw)
    out = {}
    for name, table in raw.items():
        spec = CATALOGUE.series_by_name.get(name)
        if spec is None:
            raise unknown_key(
                file, f"series.{name}", name, CATALOGUE.series_by_name, "a known series"
            )
        if not isinstance(table, dict) or not table:
            raise ScenarioError(file, f"series.{name}", spec.expectation(), table)
        points = []
        for year, value in table.items():
            key = f"series.{name}.{year}"
            if not re.fullmatch(r"[0-9]{4}", str(year)) or not 1900 <= int(year) <= 2100:
                raise ScenarioError(file, key, "a year between 1900 and 2100 as the key")
            if not is_finite_number(value):
                raise ScenarioError(file, key, spec.expectation(), value)
            if not spec.low <= value <= spec.high:
                raise ScenarioError(file, key, spec.expectation(), value)
            points.append((int(year), float(value)))
        out[name] = tuple(sorted(points))
    return out


def _check_events(file: str, raw: Any) -> list[Event]:
    if not isinstance(raw, list):
        raise ScenarioError(file, "events", "an array of tables ([[events]])", raw)
    out = []
    for i, ev in enumerate(raw):
        where = f"events[{i}]"
        if not isinstance(ev, dict):
            raise ScenarioError(file, where, "a table with year and kind", ev)
        event_keys = ("year", "kind", "target", "magnitude", "note", "deadline")
        unknown = set(ev) - set(event_keys)
        if unknown:
            bad = sorted(unknown)[0]
            hint = did_you_mean(bad, event_keys)
            raise ScenarioError(file, f"{where}.{bad}", "one of " + ", ".join(event_keys) + hint)
        year, kind = ev.get("year"), ev.get("kind")
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
            raise ScenarioError(file, f"{where}.year", "an integer year", year)
        if kind not in EVENT_KINDS:
            hint = did_you_mean(kind, EVENT_KINDS) if isinstance(kind, str) else ""
            raise ScenarioError(
                file,
                f"{where}.kind",
                "one of " + ", ".join(EVENT_KINDS) + hint,
                None if hint else kind,
            )
        target = ev.get("target", "")
        if not isinstance(target, str) or (target and target not in data.ally_codes()):
            raise ScenarioError(file, f"{where}.target", "an ally's ISO3 code", target)
        if kind in ("russia_probe", "accession") and not target:
            raise ScenarioError(file, f"{where}.target", f"an ally's ISO3 code for {kind}")
        if target and kind not in TARGETED_KINDS:  # it would be ignored (found by fuzzing)
            raise ScenarioError(
                file,
                f"{where}.target",
                f"no target for {kind} (it acts on the alliance, not on one ally; a target is "
                "for " + ", ".join(TARGETED_KINDS) + ")",
                target,
            )
        if "magnitude" in ev and kind not in MAGNITUDE_KINDS:  # it would be ignored (fuzzing)
            raise ScenarioError(
                file,
                f"{where}.magnitude",
                f"no magnitude for {kind} (it has none; a magnitude is for "
                + ", ".join(MAGNITUDE_KINDS)
                + ")",
                ev["magnitude"],
            )
        mag = ev.get("magnitude", 1.0)
        if not is_finite_number(mag) or not 0 <= mag <= 100:
            raise ScenarioError(file, f"{where}.magnitude", "a number in [0, 100]", mag)
        note = ev.get("note", "")
        if not isinstance(note, str) or len(note) > MAX_TEXT:
            raise ScenarioError(
                file, f"{where}.note", f"a string of at most {MAX_TEXT} characters", note
            )
        deadline = ev.get("deadline", 0)  # 0: the default horizon (a resolved scenario says 0)
        if (
            isinstance(deadline, bool)
            or not isinstance(deadline, int)
            or (deadline != 0 and (kind not in ("summit", "pledge") or not year < deadline <= 2100))
        ):
            raise ScenarioError(
                file,
                f"{where}.deadline",
                "for a summit or pledge, a year after the event's (0 for the default)",
                deadline,
            )
        expected = magnitude_expected(kind, mag)
        if expected:
            raise ScenarioError(file, f"{where}.magnitude", expected, mag)
        out.append(
            Event(
                year=year,
                kind=kind,
                target=target,
                magnitude=float(mag),
                note=note,
                deadline=deadline,
            )
        )
    return out


def check_name(file: str, name: Any, key: str = "name") -> str:
    """A scenario name: 1-64 letters, digits, '_' or '-'. It names a results folder, so it can
    neither escape ``results/`` (``..``) nor exceed a file system's limits."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ScenarioError(file, key, "1 to 64 letters, digits, '_' or '-'", name)
    return name


def _check_meta(file: str, doc: dict[str, Any]) -> None:
    for key in ("name", "description", "hypothesis", "extends"):
        if key in doc and not isinstance(doc[key], str):
            raise ScenarioError(file, key, "a string", doc[key])
        if key in doc and len(doc[key]) > (MAX_REF if key == "extends" else MAX_TEXT):
            limit = MAX_REF if key == "extends" else MAX_TEXT
            raise ScenarioError(file, key, f"at most {limit} characters", doc[key])
    if "extends" in doc and not doc["extends"].strip():
        raise ScenarioError(
            file,
            "extends",
            "a scenario's name or file (leave extends out to extend none)",
            doc["extends"],
        )
    if "name" in doc:
        check_name(file, doc["name"])
    if "replace_events" in doc and not isinstance(doc["replace_events"], bool):
        raise ScenarioError(file, "replace_events", "true or false", doc["replace_events"])
    claims = doc.get("claims", [])
    if not isinstance(claims, list) or not all(
        isinstance(c, str) and CLAIM_RE.match(c) for c in claims
    ):
        raise ScenarioError(file, "claims", "a list of claim numbers C1 to C19", claims)
    if len(set(claims)) != len(claims):
        raise ScenarioError(file, "claims", "each claim listed once", claims)


def unknown_key(file: str, where: str, word: str, known: Any, what: str) -> ScenarioError:
    """The error for a key that is not ``known``: "did you mean X?" for a misspelling (difflib),
    else the list of what is known."""
    hint = did_you_mean(word, known)
    if hint:
        return ScenarioError(file, where, what + hint)
    return ScenarioError(file, where, f"{what} ({', '.join(sorted(known))})")


def validate_document(file: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Validate one parsed file; return its parts in canonical form."""
    if not doc:
        raise ScenarioError(
            file, "(file)", "a scenario: a name, extends or a table (this file sets nothing)"
        )
    for key in doc:
        if key not in META_KEYS | TABLE_KEYS:
            raise unknown_key(file, key, key, META_KEYS | TABLE_KEYS, "a known top-level key")
    _check_meta(file, doc)
    params: dict[str, dict[str, Any]] = {}
    overrides: dict[str, dict[str, Any]] = {}
    for section in CATALOGUE.by_section:
        table = doc.get(section, {})
        if not isinstance(table, dict):
            raise ScenarioError(file, section, f"a table [{section}]", table)
        for name, value in table.items():
            if section == "allies" and name == "overrides":
                if not isinstance(value, dict):
                    raise ScenarioError(file, "allies.overrides", "a table of ISO3 tables", value)
                for iso3, vals in value.items():
                    if not isinstance(vals, dict):
                        raise ScenarioError(file, f"allies.overrides.{iso3}", "a table", vals)
                    if not vals and iso3 not in data.ally_codes():  # its values commented
                        raise ScenarioError(  # out is fine; a code that names no ally is not
                            file,
                            f"allies.overrides.{iso3}",
                            "an ally's ISO3 code (" + ", ".join(sorted(data.ally_codes())) + ")",
                        )
                    for n, v in vals.items():
                        _known_param(file, section, n, f"allies.overrides.{iso3}.{n}")
                        overrides.setdefault(iso3, {})[n] = check_param(file, section, n, v, iso3)
                continue
            _known_param(file, section, name, f"{section}.{name}")
            params.setdefault(section, {})[name] = check_param(file, section, name, value)
    return {
        "meta": {k: doc[k] for k in META_KEYS if k in doc},
        "params": params,
        "overrides": overrides,
        "series": _check_series(file, doc.get("series", {})),
        "events": _check_events(file, doc.get("events", [])),
        "uncertainty": check_uncertainty(file, doc.get("uncertainty", {})),
    }


def _known_param(file: str, section: str, name: str, where: str) -> None:
    known = CATALOGUE.by_section.get(section, {})
    if name not in known:
        raise unknown_key(file, where, name, known, f"a known parameter of [{section}]")


def regular_file(path: Path, what: str = "scenario file") -> Path:
    """``path`` if it is an existing regular file (not a folder, a named pipe or a device, which
    would hang or fail a reader); :class:`ScenarioError` otherwise."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ScenarioError(str(path), "(file)", f"an existing {what}") from None
    except OSError as exc:
        reason = "a shorter path" if exc.errno == errno.ENAMETOOLONG else f"a readable {what}"
        raise ScenarioError(str(path), "(file)", f"{reason} ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise ScenarioError(str(path), "(file)", f"a regular {what} (not a folder or a pipe)")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(str(path), "(file)", f"a {what} under {MAX_FILE_BYTES:,} bytes")
    return path


def read_toml(path: Path, what: str = "scenario file") -> dict[str, Any]:
    """Parse a TOML file, turning every way it can be unreadable into a ScenarioError."""
    regular_file(path, what)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as some editors save
            data = data[3:]
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ScenarioError(
                str(path), "(file)", f"a {what} saved as UTF-8 (this one is UTF-16)"
            )
        return tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "(file)", f"a readable {what} ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "(syntax)", f"valid TOML ({exc})") from None
    except RecursionError:
        raise ScenarioError(str(path), "(syntax)", "arrays or tables nested less deep") from None


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    params = {s: dict(v) for s, v in parent["params"].items()}
    for s, v in child["params"].items():
        params.setdefault(s, {}).update(v)
    overrides = {k: dict(v) for k, v in parent["overrides"].items()}
    for k, v in child["overrides"].items():
        overrides.setdefault(k, {}).update(v)
    replace_events = child["meta"].get("replace_events", False)
    return {
        "meta": {**{k: v for k, v in parent["meta"].items() if k != "extends"}, **child["meta"]},
        "params": params,
        "overrides": overrides,
        "series": {**parent["series"], **child["series"]},
        "events": child["events"] if replace_events else parent["events"] + child["events"],
        "uncertainty": {**parent.get("uncertainty", {}), **child.get("uncertainty", {})},
    }


def _load_chain(path: Path, stack: tuple[Path, ...]) -> dict[str, Any]:
    regular_file(path)  # named as given, before a link is resolved to where it points
    try:
        path = path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links (RuntimeError before 3.13)
        where = str(stack[-1]) if stack else str(path)
        raise ScenarioError(
            where,
            "(file)" if not stack else "extends",
            f"a scenario file ({path} is a loop of symbolic links)",
        ) from None
    if len(stack) >= MAX_CHAIN:
        raise ScenarioError(str(stack[-1]), "extends", f"a chain of at most {MAX_CHAIN} files")
    if path in stack:
        chain = " -> ".join(p.name for p in (*stack, path))
        raise ScenarioError(str(stack[-1]), "extends", f"no cycle of extends ({chain})")
    doc = validate_document(str(path), _read(path))
    if "name" not in doc["meta"]:
        doc["meta"]["name"] = check_name(str(path), path.stem, "name (from the file name)")
    parent_ref = doc["meta"].get("extends")
    if not parent_ref:
        return doc
    return _merge(_load_chain(_parent(path, parent_ref), (*stack, path)), doc)


def _parent(path: Path, ref: str) -> Path:
    """The file ``extends = ref`` names: a path relative to ``path``'s folder, or else a shipped
    scenario's name (so a user's file anywhere can say ``extends = "baseline"``)."""
    candidate = path.parent / ref
    if candidate.suffix != ".toml":
        candidate = candidate.with_suffix(".toml")
    try:
        found = candidate.exists()
    except OSError:
        found = False
    if found:
        try:
            regular_file(candidate)
        except ScenarioError as exc:
            raise ScenarioError(
                str(path), "extends", f"a scenario file ({candidate}: {exc.expected})", ref
            ) from None
        return candidate
    shipped = shipped_scenario(ref)
    if shipped is None:
        raise ScenarioError(
            str(path),
            "extends",
            "a scenario file that exists beside this one, or a shipped one",
            ref,
        )
    return shipped


def check_accessions(file: str, merged: dict[str, Any]) -> None:
    """An ``accession`` event names an ally that is not yet a member when the run starts
    (``allies.csv``: accession_year after run.start_year), only once, and no later than the
    year it joined (an ally joins in its accession year without an event:
    ``AllianceModel._join_on_record``; an event can only bring the join forward)."""
    run = {**CATALOGUE.section_defaults("run"), **merged["params"].get("run", {})}
    joined = {a.iso3: a.accession_year for a in data.allies()}
    seen: set[str] = set()
    for i, ev in enumerate(merged["events"]):
        if ev.kind != "accession":
            continue
        where = f"events[{i}].target"
        if joined[ev.target] <= run["start_year"]:
            raise ScenarioError(
                file,
                where,
                f"an ally that is not a member in {run['start_year']} (the run's start year); "
                f"{ev.target} joined in {joined[ev.target]}",
                ev.target,
            )
        if ev.year > joined[ev.target]:
            raise ScenarioError(
                file,
                f"events[{i}].year",
                f"a year no later than {joined[ev.target]}, when {ev.target} joined (allies.csv: "
                "it joins then without an event; an accession event can only bring it forward)",
                ev.year,
            )
        if ev.target in seen:
            raise ScenarioError(file, where, "one accession per ally", ev.target)
        seen.add(ev.target)


def check_event_years(file: str, merged: dict[str, Any]) -> None:
    """Every event falls within the run (``run.start_year`` to ``run.end_year``, both
    included): an event outside it could never fire, which is always a mistake."""
    run = {**CATALOGUE.section_defaults("run"), **merged["params"].get("run", {})}
    start, end = run["start_year"], run["end_year"]
    for ev in merged["events"]:
        if not start <= ev.year <= end:
            what = f"{ev.kind} {ev.target}".strip()
            raise ScenarioError(
                file,
                f"events ({what} in {ev.year})",
                f"a year within the run, {start}-{end} (run.start_year to run.end_year); "
                f"an event in {ev.year} could never happen"
                + (
                    " (if it comes from a file this one extends, replace_events = true drops "
                    "that file's events)"
                    if merged.get("meta", {}).get("extends")
                    else ""
                ),
            )


def check_one_probe_a_year(file: str, merged: dict[str, Any]) -> None:
    """At most one ``russia_probe`` event a year: Russia probes one ally a year (M8), so a
    second would be dropped without a word (found by fuzzing)."""
    seen: dict[int, str] = {}
    for i, ev in enumerate(merged["events"]):
        if ev.kind != "russia_probe":
            continue
        if ev.year in seen:
            raise ScenarioError(
                file,
                f"events[{i}]",
                f"one russia_probe a year (Russia probes one ally a year; {seen[ev.year]} is "
                f"probed in {ev.year} already)",
                ev.target,
            )
        seen[ev.year] = ev.target


def check_ranges_hold_values(file: str, merged: dict[str, Any]) -> None:
    """A parameter the scenario sets and gives an ``[uncertainty]`` range must lie in it: the
    value is the scenario's run at point values (``--fixed``), the range its sampled worlds (a
    thesis sets its value as the range's mode), and the two must tell the same story (found by
    fuzzing: a value of 0.5 with a range of [0.8, 0.9] sampled the range and ignored the value).
    """
    for key, spec in merged.get("uncertainty", {}).items():
        section, name = key.split(".", 1)
        value = merged["params"].get(section, {}).get(name)
        if value is None:
            continue
        if not float(spec["low"]) <= float(value) <= float(spec["high"]):
            raise ScenarioError(
                file,
                f"uncertainty.{key}",
                f"a range that holds the value the scenario sets ({value:g})",
                f"[{float(spec['low']):g}, {float(spec['high']):g}]",
            )


def load_scenario(path: str | Path, overlays: tuple[str | Path, ...] = ()) -> Scenario:
    """Read, validate and resolve a scenario file (and the files it extends; a shipped
    scenario's name, ``"baseline"``, works too), then apply
    ``overlays`` in order: scenario fragments without ``extends`` (a US policy laid over a
    thesis, ``scenarios/policies/``), merged as a child file would be. The name becomes
    ``scenario-overlay-...``.

    Raises:
        ScenarioError: anything wrong with the file, a parent or an overlay, naming file, key
            and expectation.
    """
    if isinstance(overlays, (str, bytes, PathLike)):  # found by fuzzing: read letter by letter
        raise ScenarioError(
            "load_scenario", "overlays", "a tuple of overlay files (one: (path,))", overlays
        )
    ref = str(path)
    path = resolve_scenario_path(ref)  # a path, ./NAME.toml, or a shipped scenario's name
    try:
        missing = not path.exists() and not path.is_symlink()
    except OSError:  # a name too long, say: regular_file says so
        missing = False
    if missing:
        key = ref[:-5] if ref.endswith(".toml") else ref
        names = scenario_names()
        hint = did_you_mean(key, names) or did_you_mean(Path(key).name, names)
        raise ScenarioError(
            ref, "(file)", "an existing scenario file, or the name of one here or shipped" + hint
        )
    merged = _load_chain(path, ())
    name = merged["meta"].get("name", path.stem)
    for overlay in overlays:
        extra = Path(overlay)
        doc = validate_document(str(extra), _read(extra))
        if doc["meta"].get("extends"):
            raise ScenarioError(str(extra), "extends", "no extends in an overlay")
        name += "-" + doc["meta"].get("name", extra.stem)
        merged = _merge(merged, {**doc, "meta": {}})
    check_cross_fields(str(path), merged["params"])
    check_accessions(str(path), merged)
    check_event_years(str(path), merged)
    check_ranges_hold_values(str(path), merged)
    check_one_probe_a_year(str(path), merged)
    meta = merged["meta"]
    return Scenario.build(
        name=name,
        description=meta.get("description", ""),
        claims=tuple(meta.get("claims", ())),
        hypothesis=meta.get("hypothesis", ""),
        source=str(path),
        raw_params=merged["params"],
        overrides=merged["overrides"],
        series=merged["series"],
        events=merged["events"],
    )


def scenario_from_dict(d: dict[str, Any]) -> Scenario:
    """Rebuild a scenario from ``Scenario.to_dict`` output (a manifest), validating it again."""
    raw: dict[str, Any] = {sec: dict(v) for sec, v in d["params"].items()}
    raw["allies"] = {**raw.get("allies", {}), "overrides": d["overrides"]}
    raw["series"] = {k: {str(y): v for y, v in pts} for k, pts in d["series"].items()}
    # a resolved event holds the default magnitude whatever its kind: a kind without one drops
    # that default (any other value is refused, as in a file)
    default = Event.__dataclass_fields__["magnitude"].default
    raw["events"] = [
        {
            k: v
            for k, v in e.items()
            if v != ""
            and not (k == "magnitude" and e.get("kind") not in MAGNITUDE_KINDS and v == default)
        }
        for e in d["events"]
    ]
    where = str(d.get("source") or d["name"])
    if not isinstance(d["name"], str):  # found by fuzzing a sweep.json: a name 5
        raise ScenarioError(where, "name", "a string", d["name"])
    texts = {k: d.get(k) or "" for k in ("description", "hypothesis", "source")}  # None: none
    for key, text in texts.items():
        if not isinstance(text, str):
            raise ScenarioError(where, key, "a string", text)
    claims = d.get("claims") or ()
    if not isinstance(claims, (list, tuple)) or not all(isinstance(c, str) for c in claims):
        raise ScenarioError(where, "claims", "a list of claim numbers", claims)
    checked = validate_document(where, raw)
    return Scenario.build(
        name=d["name"],
        raw_params=checked["params"],
        overrides=checked["overrides"],
        series=checked["series"],
        events=checked["events"],
        description=texts["description"],
        claims=tuple(claims),
        hypothesis=texts["hypothesis"],
        source=texts["source"],
    )


def check_recorded(scenario: Scenario, where: str) -> None:
    """Refuse, before anything is written, a scenario whose record (``to_dict``, in every
    manifest and ``sweep.json``) would not be read back: one built in Python with a name or
    claims that are not text, say. Its folder would be refused by every later command."""
    try:
        scenario_from_dict(scenario.to_dict())
    except ScenarioError as exc:
        raise ScenarioError(
            where, "scenario", f"a scenario that can be read back from its record ({exc})"
        ) from None
