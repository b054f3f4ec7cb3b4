"""Reading scenario files: TOML, ``extends`` chains, validation against the schema.

Every file in a chain is validated on its own (so an error names the file it is in), then the
chain is merged parent first: tables merge key by key, a series given by a child replaces the
parent's, and events add up unless the child sets ``replace_events = true``.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from .. import data
from .catalogue import CATALOGUE, ScenarioError, check_cross_fields, check_param
from .scenario import Scenario
from .schema import EVENT_KINDS, Event

META_KEYS = {"name", "description", "claims", "hypothesis", "extends", "replace_events"}
TABLE_KEYS = set(CATALOGUE.by_section) | {"series", "events"}
CLAIM_RE = re.compile(r"^C(1[0-9]|[1-9])$")


def _check_series(file: str, raw: Any) -> dict[str, tuple[tuple[int, float], ...]]:
    if not isinstance(raw, dict):
        raise ScenarioError(file, "series", "a table of series", raw)
    out = {}
    for name, table in raw.items():
        spec = CATALOGUE.series_by_name.get(name)
        if spec is None:
            known = ", ".join(sorted(CATALOGUE.series_by_name))
            raise ScenarioError(file, f"series.{name}", f"a known series ({known})")
        if not isinstance(table, dict) or not table:
            raise ScenarioError(file, f"series.{name}", spec.expectation(), table)
        points = []
        for year, value in table.items():
            key = f"series.{name}.{year}"
            if not re.fullmatch(r"\d{4}", str(year)) or not 1900 <= int(year) <= 2100:
                raise ScenarioError(file, key, "a year between 1900 and 2100 as the key")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
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
        unknown = set(ev) - {"year", "kind", "target", "magnitude", "note", "deadline"}
        if unknown:
            raise ScenarioError(
                file,
                f"{where}.{sorted(unknown)[0]}",
                "one of year, kind, target, magnitude, note, deadline",
            )
        year, kind = ev.get("year"), ev.get("kind")
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
            raise ScenarioError(file, f"{where}.year", "an integer year", year)
        if kind not in EVENT_KINDS:
            raise ScenarioError(file, f"{where}.kind", "one of " + ", ".join(EVENT_KINDS), kind)
        target = ev.get("target", "")
        if not isinstance(target, str) or (target and target not in data.ally_codes()):
            raise ScenarioError(file, f"{where}.target", "an ally's ISO3 code", target)
        if kind in ("russia_probe", "accession") and not target:
            raise ScenarioError(file, f"{where}.target", f"an ally's ISO3 code for {kind}")
        mag = ev.get("magnitude", 1.0)
        if isinstance(mag, bool) or not isinstance(mag, (int, float)) or not 0 <= mag <= 100:
            raise ScenarioError(file, f"{where}.magnitude", "a number in [0, 100]", mag)
        note = ev.get("note", "")
        if not isinstance(note, str):
            raise ScenarioError(file, f"{where}.note", "a string", note)
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
        if kind in ("summit", "pledge") and not 0 < mag <= 15:
            raise ScenarioError(
                file, f"{where}.magnitude", f"for {kind}, a core target in (0, 15] % of GDP", mag
            )
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


def _check_meta(file: str, doc: dict[str, Any]) -> None:
    for key in ("name", "description", "hypothesis", "extends"):
        if key in doc and not isinstance(doc[key], str):
            raise ScenarioError(file, key, "a string", doc[key])
    if "name" in doc and not re.fullmatch(r"[A-Za-z0-9_\-]+", doc["name"]):
        raise ScenarioError(file, "name", "letters, digits, '_' or '-' only", doc["name"])
    if "replace_events" in doc and not isinstance(doc["replace_events"], bool):
        raise ScenarioError(file, "replace_events", "true or false", doc["replace_events"])
    claims = doc.get("claims", [])
    if not isinstance(claims, list) or not all(
        isinstance(c, str) and CLAIM_RE.match(c) for c in claims
    ):
        raise ScenarioError(file, "claims", "a list of claim numbers C1 to C19", claims)


def validate_document(file: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Validate one parsed file; return its parts in canonical form."""
    for key in doc:
        if key not in META_KEYS | TABLE_KEYS:
            raise ScenarioError(
                file,
                key,
                "a known top-level key (" + ", ".join(sorted(META_KEYS | TABLE_KEYS)) + ")",
            )
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
                    for n, v in vals.items():
                        overrides.setdefault(iso3, {})[n] = check_param(file, section, n, v, iso3)
                continue
            params.setdefault(section, {})[name] = check_param(file, section, name, value)
    return {
        "meta": {k: doc[k] for k in META_KEYS if k in doc},
        "params": params,
        "overrides": overrides,
        "series": _check_series(file, doc.get("series", {})),
        "events": _check_events(file, doc.get("events", [])),
    }


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(str(path), "(file)", "an existing scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "(file)", f"a readable file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "(syntax)", f"valid TOML ({exc})") from None


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
    }


def _load_chain(path: Path, stack: tuple[Path, ...]) -> dict[str, Any]:
    path = path.resolve()
    if path in stack:
        chain = " -> ".join(p.name for p in (*stack, path))
        raise ScenarioError(str(stack[-1]), "extends", f"no cycle of extends ({chain})")
    doc = validate_document(str(path), _read(path))
    doc["meta"].setdefault("name", path.stem)
    parent_ref = doc["meta"].get("extends")
    if not parent_ref:
        return doc
    parent_path = path.parent / parent_ref
    if parent_path.suffix != ".toml":
        parent_path = parent_path.with_suffix(".toml")
    if not parent_path.exists():
        raise ScenarioError(str(path), "extends", "a scenario file that exists", parent_ref)
    return _merge(_load_chain(parent_path, (*stack, path)), doc)


def load_scenario(path: str | Path, overlays: tuple[str | Path, ...] = ()) -> Scenario:
    """Read, validate and resolve a scenario file (and the files it extends), then apply
    ``overlays`` in order: scenario fragments without ``extends`` (a US policy laid over a
    thesis, ``scenarios/policies/``), merged as a child file would be. The name becomes
    ``scenario-overlay-...``.

    Raises:
        ScenarioError: anything wrong with the file, a parent or an overlay, naming file, key
            and expectation.
    """
    path = Path(path)
    merged = _load_chain(path, ())
    name = merged["meta"].get("name", path.stem)
    for ref in overlays:
        extra = Path(ref)
        doc = validate_document(str(extra), _read(extra))
        if doc["meta"].get("extends"):
            raise ScenarioError(str(extra), "extends", "no extends in an overlay")
        name += "-" + doc["meta"].get("name", extra.stem)
        merged = _merge(merged, {**doc, "meta": {}})
    check_cross_fields(str(path), merged["params"])
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
    raw["events"] = [{k: v for k, v in e.items() if v != ""} for e in d["events"]]
    checked = validate_document(d.get("source") or d["name"], raw)
    return Scenario.build(
        name=d["name"],
        raw_params=checked["params"],
        overrides=checked["overrides"],
        series=checked["series"],
        events=checked["events"],
        description=d.get("description", ""),
        claims=tuple(d.get("claims", ())),
        hypothesis=d.get("hypothesis", ""),
        source=d.get("source", ""),
    )
