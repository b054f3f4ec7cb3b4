"""Generated bad input: scenario files and command lines a hostile or careless user might give.

Every case is something natosim must refuse *before any work starts*: exit code 2, one message
naming the file and key (or the flag), no traceback, and nothing written. The generator is
seeded, so CI tries the same few hundred cases every time and a failure can be replayed with
``python -m tests.fuzz --seed S --n N`` (which prints the counts per outcome).

A case is a :class:`Case`: files to create in an empty working folder (text, bytes, or a FIFO),
the command line, and a word that the error message must contain (the file or flag it names).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from pathlib import Path

from sim.scenario import CATALOGUE

TI = '[factors]\n"united_states.threat_intensity"'
FIFO = object()  # marker: create a named pipe instead of a file
DIRECTORY = object()  # marker: create a folder with this name
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark, as some editors save
TAKEN_PORT = "<taken-port>"  # in argv: the runner puts a port another socket listens on


@dataclass(frozen=True)
class Symlink:
    """Marker: create a symbolic link to ``target`` (a loop if it names itself)."""

    target: str


@dataclass
class Case:
    label: str
    argv: list[str]
    files: dict[str, object] = field(default_factory=dict)
    names: str = ""  # the error message must contain this (a file name, key or flag)


NUMERIC = [p for p in CATALOGUE.params if p.kind in ("float", "int")]
BOOLS = [p for p in CATALOGUE.params if p.kind == "bool"]
CHOICES = [p for p in CATALOGUE.params if p.kind == "choice"]
PER_ALLY = [p for p in NUMERIC if p.per_ally]
GLOBAL_ONLY = [p for p in NUMERIC if not p.per_ally and p.section == "allies"]
MEMBERS = ("FRA", "DEU", "POL", "USA", "GBR", "EST")

BAD_NUMBERS = [
    "1" + "0" * 400,  # a 401-digit integer: overflows a float
    "-" + "9" * 500,
    "nan",
    "inf",
    "-inf",
    "1e999",
    '"0.5"',
    "true",
    "[0.5]",
    "{ value = 0.5 }",
    "1979-05-27",
]

BAD_EVENTS = [
    'kind = "accession"\ntarget = "FRA"',  # already a member
    'kind = "accession"\ntarget = "USA"',
    'kind = "nope"',
    'kind = "russia_probe"',  # no target
    'kind = "russia_probe"\ntarget = "XXX"',
    'kind = "us_reassurance"\nmagnitude = 101',
    'kind = "us_reassurance"\nmagnitude = -1',
    'kind = "us_reassurance"\nmagnitude = nan',
    'kind = "us_drawdown"\nmagnitude = 1' + "0" * 400,
    'kind = "summit"\nmagnitude = 3.5\ndeadline = 2020',
    'kind = "summit"\nmagnitude = 0',
    'kind = "pledge"\nmagnitude = 3.0\ndeadline = 3000',
    'kind = "us_pressure"\nnote = 5',
    'kind = "us_pressure"\nwhen = 2026',
]


def _misspelt(rng: random.Random, word: str) -> str:
    """``word`` with one letter dropped, doubled or swapped with the next (never ``word``)."""
    i = rng.randrange(1, len(word) - 1)
    how = rng.choice(["drop", "double", "swap"])
    if how == "drop":
        out = word[:i] + word[i + 1 :]
    elif how == "double":
        out = word[:i] + word[i] + word[i:]
    else:
        out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return out if out != word else word[:i] + word[i + 1 :]


def _deep(rng: random.Random) -> str:
    depth = rng.choice([200, 1000, 2000, 5000])
    if rng.random() < 0.5:
        return "x = " + "[" * depth + "1" + "]" * depth + "\n"
    return "x = " + "{ a = " * depth + "1" + " }" * depth + "\n"


def _param_line(rng: random.Random) -> tuple[str, str]:
    """A parameter with a bad value: (TOML text, key that the message must name)."""
    roll = rng.random()
    if roll < 0.55:
        p = rng.choice(NUMERIC)
        bad = rng.choice([*BAD_NUMBERS, repr(float(p.low or 0) - 1), repr(float(p.high or 0) + 1)])
        return f"[{p.section}]\n{p.name} = {bad}\n", p.name
    if roll < 0.65:
        p = rng.choice(BOOLS)
        bad = rng.choice(["1", '"yes"', "0.0"])
        return f"[{p.section}]\n{p.name} = {bad}\n", p.name
    if roll < 0.72:
        p = rng.choice(CHOICES)
        return f'[{p.section}]\n{p.name} = "{rng.choice(["", "Headline", "x" * 300])}"\n', p.name
    if roll < 0.8:
        p = rng.choice(PER_ALLY)
        iso = rng.choice(["XXX", "fra", "RUS", "UKR", ""])
        return f'[allies.overrides."{iso}"]\n{p.name} = {p.default}\n', "overrides"
    if roll < 0.87 and GLOBAL_ONLY:
        p = rng.choice(GLOBAL_ONLY)
        return f"[allies.overrides.FRA]\n{p.name} = {p.default}\n", p.name
    if roll < 0.93:
        return "[run]\nstart_year = 2030\nend_year = 2030\n", "end_year"
    section = rng.choice(["nosuch", "run", "allies"])
    # an unknown section is named as the unknown key (its parameters are never read)
    return f"[{section}]\nnot_a_param = 1\n", "nosuch" if section == "nosuch" else "not_a_param"


def scenario_case(rng: random.Random, i: int) -> Case:
    """One bad scenario file, given to a random command that reads scenarios."""
    name = f"bad{i}.toml"
    head = 'name = "fz"\ndescription = "fuzz"\n'
    kind = rng.randrange(23)
    names = name
    body: object
    extra: dict[str, object] = {}
    if kind <= 4:
        text, _ = _param_line(rng)
        body = head + text
    elif kind == 5:
        body = head + "[[events]]\nyear = 2026\n" + rng.choice(BAD_EVENTS) + "\n"
    elif kind == 6:
        bad_year = rng.choice(['"20x5"', '"1800"', '"2500"', "2030"])
        series = rng.choice(sorted(CATALOGUE.series_by_name) + ["nope"])
        spec = CATALOGUE.series_by_name.get(series)
        below = repr(float(spec.low) - 7) if spec else "-7"  # -7 is in gdp_surprise_pct's range
        value = rng.choice(["nan", below, '"a"', "1" + "0" * 400, "inf", "[1]"])
        if bad_year != "2030" and rng.random() < 0.5:
            value = "0.5"  # a bad year alone
        body = head + f"[series.{series}]\n{bad_year} = {value}\n"
    elif kind == 7:
        body = head + _deep(rng)
    elif kind == 8:
        body = rng.choice(["", "# only a comment\n", "\n\n  \n"])
    elif kind == 9:
        body = head.replace('"fz"', '"' + rng.choice(["x" * 300, "../up", "a b", "é", ".."]) + '"')
    elif kind == 10:
        ext = rng.choice(["x" * 5000, "/etc/passwd", "../../../../nope", "nosuch", name[:-5]])
        body = head + f'extends = "{ext}"\n'
    elif kind == 11:
        body = rng.choice(
            [b"\xff\xfe\x00bad", b'name = "a"\n\x00\x01', "name = [\n", "= 3\n", "a = 1\na = 2\n"]
        )
    elif kind == 12:
        body = head + rng.choice(
            ['claims = ["C20"]\n', "claims = 3\n", "description = 4\n", "replace_events = 1\n"]
        )
    elif kind == 13:  # a file name that is not a scenario name
        name = rng.choice(["...toml", "..toml", "a b.toml", "x" * 200 + ".toml"])
        body = "[run]\nend_year = 2030\n"
        names = "name"
    elif kind == 14:
        body = rng.choice([FIFO, DIRECTORY])
        names = name
    elif kind == 16:  # a symbolic link loop (ln -s s.toml s.toml)
        body = Symlink(name)
    elif kind == 17:  # a byte-order mark before a bad value: read, then refused for the value
        text, key = _param_line(rng)
        if rng.random() < 0.8:
            body, names = BOM + (head + text).encode(), key
        else:  # UTF-16, with its own byte-order mark: refused as not UTF-8
            body = (head + text).encode(rng.choice(["utf-16", "utf-16-be"]))
            if not body.startswith((b"\xff\xfe", b"\xfe\xff")):
                body = b"\xfe\xff" + body
    elif kind == 18:  # an event outside the run's years (it could never happen)
        start, end = rng.choice([(2025, 2040), (2025, 2030), (2030, 2035)])
        year = rng.choice([1900, 2100, start - 1, end + 1, rng.randint(end + 1, 2100)])
        ev = rng.choice(
            [
                'kind = "us_pressure"',
                'kind = "russia_probe"\ntarget = "EST"',
                'kind = "us_reassurance"\nmagnitude = 2',
                'kind = "summit"\nmagnitude = 3.5',
            ]
        )
        run = f"[run]\nstart_year = {start}\nend_year = {end}\n"
        body = head + run + f"[[events]]\nyear = {year}\n{ev}\n"
    elif kind == 19:  # terminal escape codes in the text, and a bad value
        text, key = _param_line(rng)
        code = rng.choice(["\\u001b[31m", "\\u001b]0;title\\u0007", "\\u009b2J", "\\u0007"])
        body = f'name = "fz"\ndescription = "a {code} b. c"\nhypothesis = "h{code}"\n' + text
        names = key
    elif kind == 20:  # extends a file that cannot be read
        parent = rng.choice(["loop", "pipe", "dir"])
        body = head + f'extends = "{parent}"\n'
        extra = {
            f"{parent}.toml": {"loop": Symlink(f"{parent}.toml"), "pipe": FIFO, "dir": DIRECTORY}[
                parent
            ]
        }
    elif kind == 21:  # a scenario file that is a link to nothing, or a link to a folder
        body = rng.choice([Symlink("nowhere/x.toml"), Symlink(".")])
    elif kind == 22:  # a misspelt parameter or section: "did you mean" the right one
        p = rng.choice([q for q in CATALOGUE.params if len(q.name) >= 8 and len(q.section) >= 5])
        if rng.random() < 0.7:
            wrong = _misspelt(rng, p.name)
            known = CATALOGUE.by_section[p.section]
            body = head + f"[{p.section}]\n{wrong} = {str(p.default).lower()}\n"
        else:
            wrong = _misspelt(rng, p.section)
            known = CATALOGUE.by_section
            body = head + f"[{wrong}]\n{p.name} = {str(p.default).lower()}\n"
        names = "did you mean" if wrong not in known else name
        if isinstance(p.default, str):
            body = body.replace(f"= {str(p.default).lower()}", f'= "{p.default}"')
    else:
        body = head + "description2 = 1\n"
    cmd = rng.choice(["run", "validate", "compare", "sweep", "list"])
    if cmd == "run":
        argv = ["run", name, "--reps", "2", "--no-report"]
    elif cmd == "compare":
        argv = ["compare", "baseline", name, "--reps", "2", "--no-report"]
    elif cmd == "sweep":
        argv = [
            "sweep",
            name,
            "--param",
            "united_states.threat_intensity=0.2:0.8",
            "--samples",
            "2",
            "--workers",
            "1",
            "--quiet",
        ]
    elif cmd == "list":
        argv = ["list", "."]
        names = ""  # list reports a bad file on its line and goes on; see test_list_*
    else:
        argv = ["validate", name]
    return Case(f"scenario/{kind}/{cmd}", argv, {name: body, **extra}, names)


# JSON that is not the object natosim writes: other types, objects missing what a reader needs
BAD_JSON = [
    "[]",
    "null",
    "3",
    '"x"',
    "{}",
    "{",
    "\x00",
    '{"scenario": []}',
    (
        '{"scenario": {"name": 3}, "replications": 2, "command": "c", "natosim_version": "0", '
        '"git_commit": "x"}'
    ),
    '{"scenario": {}, "replications": "2"}',
    "[" * 5000 + "]" * 5000,
]


@functools.lru_cache(maxsize=1)
def _fake_sweep() -> dict[str, object]:
    """The files of a small finished sweep folder (one LHS factor, two runs) whose summary has a
    text column (``verdict``) and no model table: built with pyarrow, no model run."""
    import json
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.runs.runner import replication_seeds

    def parquet(table: dict[str, list]) -> bytes:
        with tempfile.NamedTemporaryFile(suffix=".parquet") as fh:
            pq.write_table(pa.table(table), fh.name)
            return Path(fh.name).read_bytes()

    key = "united_states.threat_intensity"
    spec = {
        "base": "baseline",
        "factors": [{"key": key, "low": 0.0, "high": 1.0, "values": []}],
        "design": "lhs",
        "samples": 2,
        "reps": 1,
        "seed": 0,
        "points": [],
    }
    return {
        "sw/sweep.json": json.dumps(
            {
                "spec": spec,
                "task_size": 2,
                "points": 2,
                "runs": 2,
                "replication_seeds": replication_seeds(0, 1),
                "command": "c",
            }
        ),
        "sw/design.parquet": parquet({"point": [0, 1], key: [0.2, 0.7]}),
        "sw/parts/summary/task-000000.parquet": parquet(
            {
                "point": [0, 1],
                "rep": [0, 0],
                "run": [0, 1],
                "verdict": ["a", "b"],
                "eu_core_pct_end": [2.0, 3.0],
            }
        ),
        "sw/parts/done/task-000000.json": '{"runs": 2, "failed": 0}',
    }


@functools.lru_cache(maxsize=1)
def _run_manifest() -> str:
    """A manifest as ``natosim run`` writes it (the default scenario, two replications)."""
    import json

    from sim import Scenario

    return json.dumps(
        {
            "natosim_version": "0",
            "git_commit": "x",
            "command": "natosim run",
            "root_seed": 0,
            "replication_seeds": [1, 2],
            "replications": 2,
            "scenario": Scenario.default().to_dict(),
        }
    )


def _damaged_run(rng: random.Random, folder: str) -> tuple[dict[str, object], str]:
    """A run folder whose manifest is right and one of whose tables is damaged or missing, and
    the table's name (the message must name it)."""
    files: dict[str, object] = {f"{folder}/manifest.json": _run_manifest()}
    tables = ["model", "allies", "events", "summary"]
    bad = rng.choice(tables)
    for t in tables:
        if t != bad:
            files[f"{folder}/{t}.csv"] = "year\n2025\n"
    damage = rng.choice(["garbage", b"PAR1", b"", b"PAR1" + b"\x00" * 50 + b"PAR1", "missing"])
    if damage == "missing":
        files[f"{folder}/{bad}.parquet"] = rng.choice([DIRECTORY, Symlink("nowhere")])
    else:
        files[f"{folder}/{bad}.parquet"] = damage
    return files, bad


# --host values natosim ui and natosim seminar must refuse: control characters (NUL, an escape
# code), spaces, nothing, a name too long for DNS or with a label too long, a name that does not
# resolve, an address of another machine, an IPv6 address that is not one
BAD_HOSTS = [
    "a\x00b",
    "127.0.0.1\x00",
    "a\x01b",
    "\x1b[31mlocalhost",
    "local host",
    " ",
    "",
    "[]",
    "x" * 300,
    "a" * 70 + ".example",
    "no.such.host.invalid",
    "8.8.8.8",
    "::g",
    "[::1",
    "999.1.1.1",
]

# ports below FIRST_PORT (the system's, refused even for root) or beyond the last
LOW_PORTS = ["1", "22", "80", "443", "1023", "65536", "99999"]


def saved_session() -> dict[str, object]:
    """A valid saved seminar (``session.json`` as ClassSession.save writes it) with one seated
    student, before any year is played: a new dict each call, for a case to edit."""
    return {
        "format": 1,
        "scenario": "baseline",
        "seed": 7,
        "code": "123456",
        "instructor_token": "tok",
        "seconds_per_year": 180,
        "year": 2025,
        "played": [],
        "participants": [{"token": "p1", "name": "Ada", "role": "EST", "client": ""}],
        "locked": [],
        "fog": True,
        "reveals": [],
        "messages": [],
        "pending": {},
        "injected": [],
    }


def _saved_seminar(rng: random.Random) -> tuple[dict[str, object], str]:
    """A saved seminar (session.json as ClassSession.save writes it, server.json) with one part
    hand-edited wrong: a malformed message, a pending decision out of bounds or of another shape,
    a seat, a year or an injection that cannot be played back, or a port below 1024; and the
    file the message must name."""
    import json

    session = saved_session()
    server: dict[str, object] = {"host": "127.0.0.1", "port": 0}
    key, bad = rng.choice(
        [
            ("messages", [{"sender": "EST", "to": "nobody", "text": "x", "year": 2025}]),
            ("messages", [3]),
            ("messages", [{"sender": "EST", "to": "USA", "text": "x", "year": "2025"}]),
            ("pending", {"EST": {"budget": 99}}),
            ("pending", {"EST": {"nope": 1}}),
            ("pending", {"EST": 3}),
            ("pending", [1, 2]),
            ("participants", [{"token": "x"}]),
            ("participants", [3]),
            ("played", [{"year": 2025}]),
            ("played", 3),
            ("injected", [3]),
            ("injected", [{"kind": "nope"}]),
            ("port", rng.choice([1, 80, 1023, 70000, -1, "x"])),
        ]
    )
    if key == "port":
        server["port"] = bad
    else:
        session[key] = bad
    files = {"ss/session.json": json.dumps(session), "ss/server.json": json.dumps(server)}
    return files, "server.json" if key == "port" else "session.json"


def _run_folder(folder: str, tables: str) -> dict[str, object]:
    """A run folder with a right manifest (two replications of the default scenario, 2025-2040)
    and tables that are ``tables``: the options are refused from the manifest, before any table
    is read (so the tables may even be damaged)."""
    files: dict[str, object] = {f"{folder}/manifest.json": _run_manifest()}
    for t in ("model", "allies", "events", "summary"):
        files[f"{folder}/{t}.csv"] = "year\n2025\n" if tables == "small" else "x"
        if tables == "damaged" and t == "allies":
            del files[f"{folder}/{t}.csv"]
            files[f"{folder}/{t}.parquet"] = b"PAR1" + b"\x00" * 50 + b"PAR1"
    return files


def command_case(rng: random.Random, i: int) -> Case:
    """One bad command line (the scenario files it names are valid)."""
    num = rng.choice(
        ["0", "-1", "abc", "1e10", "10000000000", "1" + "0" * 400, "", "nan", "2.5", "0x10"]
    )
    damaged = _damaged_run(rng, "r")
    flag = rng.choice(["--reps", "--seed"])
    choices: list[tuple[list[str], str, dict[str, object]]] = [
        (["run", "baseline", "--reps", num], "--reps", {}),
        (["run", "baseline", "--seed", rng.choice(["-1", "x", "1" + "0" * 400])], "--seed", {}),
        (["run", "baseline", "--workers", rng.choice(["0", "100000", "x"])], "--workers", {}),
        (["run", "baseline", "--reps", "2", "--out", "afile"], "afile", {"afile": "x"}),
        (["run", "baseline", "--reps", "2", "--out", "/proc/nope/out"], "/proc/nope", {}),
        (["run", "baseline", "--reps", "2", "--out", "full"], "full", {"full/x": "x"}),
        (["run", "baseline", "--format", "xls"], "--format", {}),
        (["run", "nosuch_scenario"], "nosuch_scenario", {}),
        (
            ["compare", "baseline", "cajole", "--years", rng.choice(["1990", "3000", "x"])],
            "--years",
            {},
        ),
        (["compare", "baseline", "baseline", "--reps", "2"], "scenarios", {}),
        (["report", rng.choice(["nofolder", "afile"])], "", {"afile": "x"}),
        (["report", "empty"], "empty", {"empty/.keep": ""}),
        (["sensitivity", "nofolder"], "nofolder", {}),
        (["discover", "nofolder", "--outcome", "x"], "nofolder", {}),
        (
            [
                "sweep",
                "baseline",
                "--param",
                rng.choice(
                    [
                        "allies.overrides.XXX.domestic_resistance=0:1",
                        "allies.overrides.FRA.pledge_weight=0:0.5",
                        "allies.pledge_weight=0.5:0.9",
                        "united_states.nope=0:1",
                        "united_states.threat_intensity=2:3",
                        "united_states.threat_intensity=0.8:0.2",
                        "united_states.threat_intensity=nan:1",
                        "united_states.threat_intensity=0:" + "1" + "0" * 400,
                        "run.end_year=2020:2030",
                        "united_states.threat_intensity",
                        "=0:1",
                        "united_states.measurement=bogus",
                    ]
                ),
            ],
            "--param",
            {},
        ),
        (
            [
                "sweep",
                "baseline",
                "--param",
                "united_states.threat_intensity=0:1",
                "--design",
                "grid",
                "--samples",
                rng.choice(["100000000", "1" + "0" * 30]),
            ],
            "--samples",
            {},
        ),
        (
            ["sweep", "baseline", "--all-factors", rng.choice(["0", "-1", "2", "nan", "inf"])],
            "--all-factors",
            {},
        ),
        (
            [
                "sweep",
                "baseline",
                "--param",
                "united_states.threat_intensity=0:1",
                "--scheduler",
                rng.choice(["nope", "tcp://host", "http://x:1", "tcp://h:99999", "tcp://a b:1"]),
            ],
            "--scheduler",
            {},
        ),
        (
            ["sweep", "--resume", "corrupt"],
            "corrupt",
            {"corrupt/sweep.json": rng.choice(["{", "[]", '{"base": 3}', "null", "\x00"])},
        ),
        (
            ["sweep", "bad_sweep.toml"],
            "bad_sweep.toml",
            {
                "bad_sweep.toml": rng.choice(
                    [
                        "base = 3\n",
                        'base = "nosuch.toml"\n',
                        'base = "s.toml"\nsamples = "many"\n' + TI + " = [0, 1]\n",
                        'base = "s.toml"\nreps = -1\n' + TI + " = [0, 1]\n",
                        'base = "s.toml"\n' + TI + ' = ["a", "b"]\n',
                        'base = "s.toml"\n[factors]\n"united_states.threat_intensity" = 3\n',
                        'base = "s.toml"\nfactors = 3\n',
                        'base = "s.toml"\ndesign = "list"\npoints = 3\n',
                        'base = "s.toml"\ndesign = "list"\n[[points]]\n"nope.x" = 1\n',
                        'base = "s.toml"\n[factors]\n"allies.pledge_weight" = [0.5, 0.9]\n',
                        'base = "s.toml"\ndesign = "list"\n[[points]]\n"run.seed_note" = 1\n',
                        (
                            'base = "s.toml"\ndesign = "list"\n[[points]]\n'
                            '"united_states.threat_intensity" = 0.2\n[[points]]\n'
                            '"allies.peer_weight" = 0.1\n'
                        ),
                        (
                            'base = "s.toml"\ndesign = "list"\n[[points]]\n'
                            '"united_states.threat_intensity" = 0.2\n[[points]]\n'
                            '"united_states.threat_intensity" = 0.3\n"allies.peer_weight" = 0.1\n'
                        ),
                        (
                            'base = "s.toml"\ndesign = "lhs"\n[[points]]\n'
                            '"united_states.threat_intensity" = 0.2\n'
                        ),
                        'base = "s.toml"\ndesign = "list"\n' + TI + " = {values = [0.1]}\n"
                        '[[points]]\n"allies.peer_weight" = 0.1\n',
                        'base = "s.toml"\ndesign = "list"\n[[points]]\n',
                    ]
                ),
                "s.toml": 'extends = "baseline"\nname = "s"\n',
            },
        ),
        (["report", "nofolder", "--x", "nope"], "nofolder", {}),
        (["discover", "nofolder", "--outcome", "x", "--min-leaf", "-1"], "--min-leaf", {}),
        (["hindcast", "--train-end", rng.choice(["1990", "2100", "x"])], "--train-end", {}),
        (["params", rng.choice(["nope", "x" * 100])], "params", {}),
        (["ui", "--port", rng.choice(["-1", "70000", "x"])], "--port", {}),
        (["ui", "--host", "no.such.host.invalid"], "--host", {}),
        (["seminar", rng.choice(["nosuch", "x" * 300])], "", {}),
        (["seminar", "baseline", "--port", rng.choice(["-1", "70000"])], "--port", {}),
        (["seminar", "baseline", "--seconds", rng.choice(["5", "0", "99999"])], "--seconds", {}),
        (["seminar", "baseline", "--export-dir", "afile"], "afile", {"afile": "x"}),
        (["ui", "--export-dir", "afile"], "afile", {"afile": "x"}),
        (["list", rng.choice(["nofolder", "afile"])], "", {"afile": "x"}),
        (["validate", rng.choice(["nosuch", "x" * 5000])], "", {}),
        ([rng.choice(["runn", "--bogus", "", "rnu", "compar", "sweeep"])], "", {}),
        (
            [
                _misspelt(
                    rng,
                    rng.choice(["compare", "validate", "sensitivity", "discover", "report"]),
                ),
                "x",
            ],
            "did you mean",
            {},
        ),
        # issue 29: JSON of the wrong shape, unusable --out, empty paths, --resume beside others
        (["report", "m"], "manifest.json", {"m/manifest.json": rng.choice(BAD_JSON)}),
        (
            ["report", "c"],
            "manifest.json" if rng.random() < 0.5 else "",
            {
                "c/comparison.csv": "x\n",
                "c/manifest.json": rng.choice(
                    [
                        *BAD_JSON[:6],
                        '{"scenarios": ["../up"], "replications": 2, "command": "c"}',
                        '{"scenarios": [], "replications": 2, "command": "c"}',
                        '{"scenarios": ["gone"], "replications": 2, "command": "c"}',
                    ]
                ),
            },
        ),
        (["report", "d"], "manifest.json", {"d/debate.csv": "x\n", "d/manifest.json": "[]"}),
        (["report", "r"], damaged[1], damaged[0]),
        (["compare", "baseline", "r", "--reps", "2", "--no-report"], damaged[1], damaged[0]),
        (
            rng.choice(
                [["report", "s"], ["sensitivity", "s"], ["discover", "s", "--outcome", "x"]]
            ),
            "sweep.json",
            {"s/sweep.json": rng.choice([*BAD_JSON, '{"spec": []}', '{"spec": {"factors": 3}}'])},
        ),
        (
            [
                "sensitivity",
                "sw",
                "--outputs",
                rng.choice(["verdict", "nope", "eu_core_pct_end@20x0", "verdict eu_core_pct_end"]),
            ],
            "--outputs",
            _fake_sweep(),
        ),
        (
            ["compare", "baseline", "cf", "--reps", "2", "--no-report"],
            "cf",
            {
                "cf/manifest.json": rng.choice(
                    [
                        '{"scenario": 3, "replication_seeds": []}',
                        '{"scenario": {}, "replication_seeds": [1]}',
                        '{"scenario": {"name": "x"}, "replication_seeds": [1], "root_seed": 0}',
                    ]
                )
            },
        ),
        (
            [
                rng.choice(["run", "compare"]),
                "baseline",
                "--reps",
                "2",
                "--no-report",
                "--out",
                rng.choice(["/proc/self/nope", "/sys/nope", "/dev/null/x", "broken", "loop"]),
            ],
            "--out",
            {"broken": Symlink("nowhere/x"), "loop": Symlink("loop")},
        ),
        (
            rng.choice(
                [
                    ["run", "baseline", "--out", rng.choice(["", " "])],
                    ["compare", "baseline", "cajole", "--out", ""],
                    ["sweep", "baseline", "--param", "united_states.threat_intensity=0:1"]
                    + ["--out", ""],
                    ["debate", "--out", ""],
                    ["sweep", "--resume", ""],
                    ["report", ""],
                    ["sensitivity", ""],
                    ["discover", "", "--outcome", "x"],
                    ["list", ""],
                ]
            ),
            "empty",
            {},
        ),
        (
            ["sweep", "--resume", "done"]
            + rng.choice(
                [
                    ["baseline"],
                    ["--param", "united_states.threat_intensity=0:1"],
                    ["--samples", "8"],
                    ["--design", "grid"],
                    ["--out", "elsewhere"],
                    ["--all-factors", "0.5"],
                ]
            ),
            "--resume",
            {"done/sweep.json": "{}"},
        ),
        (
            ["validate", "s.toml"],
            "s.toml",
            {
                "s.toml": rng.choice([Symlink("s.toml"), Symlink("t.toml")]),
                "t.toml": Symlink("s.toml"),
            },
        ),
        (["debate", "--reps", num], "--reps", {}),
        (["calibrate", "--reps", num], "--reps", {}),
        # numbers int() reads but nobody types: underscores, other scripts' digits
        (
            [
                *rng.choice([["run", "baseline"], ["debate"], ["hindcast"]]),
                flag,
                rng.choice(["1_000", "\u0661", "\uff12", "\U0001d7d0", "1_0"]),
            ],
            flag,
            {},
        ),
        # an escape code in a name given on the command line (shown written out, not obeyed)
        (
            [
                rng.choice(["run", "validate", "explain", "report"]),
                "no" + rng.choice(["\x1b[31m", "\x1b]0;t\x07", "\x9b2J", "\x07"]) + "such",
            ],
            "no",
            {},
        ),
        (["params", ""], "params", {}),
        (
            ["debate", "--reps", "2"]
            + rng.choice(
                [
                    ["--worlds", "war", "2027", "war"],
                    ["--theses", "deadline", "deadline"],
                    ["--policies", "coerce", "coerce"],
                ]
            ),
            "twice",
            {},
        ),
        (
            ["sweep", "baseline"]
            + rng.choice(
                [
                    ["--param", "united_states.threat_intensity=0:1", "--exclude", "russia."],
                    ["--all-factors", "0.5", "--exclude", ""],
                    ["--all-factors", "0.5", "--exclude", "nosuch."],
                ]
            ),
            "--exclude",
            {},
        ),
        (
            ["seminar", "--resume", "ss"],
            "session.json",
            {
                "ss/session.json": rng.choice(
                    [*BAD_JSON[:6], '{"scenario": 3}', '{"scenario": "baseline", "seed": "1"}']
                ),
                "ss/server.json": "{}",
            },
        ),
        (
            ["seminar", "baseline", "--save-dir", rng.choice(["afile", "afile/x"])],
            "--save-dir",
            {"afile": "x"},
        ),
        (
            rng.choice(
                [["report", "o"], ["explain", "o"], ["compare", "baseline", "o", "--reps", "2"]]
            ),
            *rng.choice(
                [
                    ("natosim hindcast", {"o/manifest.json": "{}", "o/hindcast.csv": "x"}),
                    ("natosim checks", {"o/manifest.json": "{}", "o/checks.csv": "x"}),
                    ("natosim calibrate", {"o/fitted_2014_2021.toml": "x"}),
                    ("holds results folders", {"o/r/manifest.json": "{}"}),
                ]
            ),
        ),
        (
            ["discover", "sw", "--outcome", rng.choice(["verdict", "@x", "1", "", "a +"])],
            "--outcome",
            _fake_sweep(),
        ),
    ]
    # natosim ui and natosim seminar: ports, hosts, a taken port, a hand-edited saved session
    serve = rng.choice([["ui"], ["seminar", "baseline"]])
    saved_files, saved_names = _saved_seminar(rng)
    choices += [
        ([*serve, "--port", rng.choice(LOW_PORTS)], "--port", {}),
        ([*serve, "--host", rng.choice(BAD_HOSTS)], "--host", {}),
        (
            [*serve, "--port", TAKEN_PORT, "--export-dir", "ex"]
            + (["--save-dir", "sd"] if serve[0] == "seminar" else []),
            "--port",
            {},
        ),
        (["seminar", "--resume", "ss", "--export-dir", "ex"], saved_names, saved_files),
        # explain and report: options checked from the manifest, before the tables are read
        (
            ["explain", "r"]
            + rng.choice(
                [
                    ["--run", rng.choice(["2", "99", "9999"])],
                    ["--year", rng.choice(["1900", "2024", "2041", "2200"])],
                    ["--ally", rng.choice(["XXX", "RUS", "UKR", "es"])],
                ]
            ),
            "",
            _run_folder("r", rng.choice(["small", "garbage", "damaged"])),
        ),
        (
            ["report", "r", "--year", rng.choice(["1900", "2024", "2041", "2100"])],
            "--year",
            _run_folder("r", "small"),
        ),
    ]
    argv, names, files = rng.choice(choices)
    if argv[:1] == ["explain"] and len(argv) > 2:
        names = argv[2]  # the option is named, whatever the tables hold
    return Case(f"cli/{argv[0] if argv else '-'}", list(argv), dict(files), names)


def generate(seed: int, n_files: int, n_commands: int) -> list[Case]:
    rng = random.Random(seed)
    return [scenario_case(rng, i) for i in range(n_files)] + [
        command_case(rng, i) for i in range(n_commands)
    ]
