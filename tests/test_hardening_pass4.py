"""Fourth fuzzing pass: each case found by a generator of bad input, refused in one line."""

from __future__ import annotations

import os

import pytest

import sim
from sim.cli.commands import main
from sim.scenario import ScenarioError

from .fuzz.cases import saved_session
from .test_hardening import _files, _refused

# -- with_params: a later run.start_year leaves no event before the run ------------------------


def test_with_params_refuses_a_start_after_the_scenarios_events():
    """``with_params({"run.start_year": 2030})`` on the baseline kept its 2025 summit, which then
    never happened, without a word (a file with that event before its start is refused)."""
    base = sim.load_scenario("baseline")
    with pytest.raises(ScenarioError, match=r"run\.start_year: .*summit in 2025.*got 2030"):
        base.with_params({"run.start_year": 2030, "run.end_year": 2045})
    hind = sim.load_scenario("hindcast_2014")
    with pytest.raises(ScenarioError, match=r"run\.start_year: .*in 2014"):
        hind.with_params({"run.start_year": 2020})


def test_with_params_keeps_a_start_before_the_events_and_an_end_that_cuts_them():
    """What stays allowed: a start no later than the first event, and an earlier end (a
    calibration window ends so, cutting the events after it)."""
    base = sim.load_scenario("baseline")
    assert base.with_params({"run.start_year": 2025}).get("run.start_year") == 2025
    assert base.with_params({"run.start_year": 2020}).get("run.start_year") == 2020
    hind = sim.load_scenario("hindcast_2014")
    assert hind.with_params({"run.end_year": 2016}).get("run.end_year") == 2016
    # a scenario without events may start when it likes
    assert sim.Scenario.default().with_params({"run.start_year": 2035}).events == ()


# -- a hand-edited sweep.json: counts, seeds, worlds, design ------------------------------------


@pytest.fixture(scope="module")
def short_base(tmp_path_factory):
    root = tmp_path_factory.mktemp("base")
    (root / "short.toml").write_text(
        'name = "short"\nextends = "baseline"\n[run]\nend_year = 2027\n'
    )
    return root / "short.toml"


def _sweep(root, base, name: str, *args: str):
    out = root / name
    argv = ["sweep", str(base), *args, "--workers", "1", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory, short_base):
    root = tmp_path_factory.mktemp("sw")
    return _sweep(
        root, short_base, "lhs", "--param", "united_states.threat_intensity=0:1", "--samples", "4"
    )


def _edit(meta: dict, key: str, value) -> None:
    *path, last = key.split(".")
    for k in path:
        meta = meta[k]
    if value is _DROP:
        del meta[last]
    else:
        meta[last] = value


_DROP = object()

_SWEEP_EDITS = [
    ("points", 99, "points"),
    ("points", "4", "points"),
    ("points", _DROP, "points"),
    ("runs", 99, "runs"),
    ("runs", _DROP, "runs"),
    ("spec.worlds", "yes", "spec.worlds"),
    ("spec.worlds", "false", "spec.worlds"),
    ("spec.worlds", True, "worlds"),  # no plan to draw the worlds from
    ("worlds", {}, "worlds"),  # a plan in a sweep at point values: --resume KeyError
    ("spec.samples", 5, "spec"),
    ("spec.design", "sobol", "spec"),  # sensitivity: a SALib RuntimeError traceback
    ("spec.design", "grid", "spec"),
    ("spec.reps", 2, "runs"),  # --resume ran 4 more runs split over other tasks
    ("spec.seed", 7, "replication_seeds"),
    ("replication_seeds", [1, 2], "replication_seeds"),
    ("task_size", 2, "task-000000.json"),
    ("spec.base", 3, "spec.base"),
    ("spec.points", "abc", "spec.points"),
    ("spec.factors.0.low", "0", "spec.factors"),
    ("spec.factors.0.low", 0.5, "spec.factors"),  # the design holds values outside it
]


@pytest.mark.parametrize(("key", "value", "named"), _SWEEP_EDITS)
@pytest.mark.parametrize("command", ["sensitivity", "resume"])
def test_a_hand_edited_sweep_json_is_refused(
    small_sweep, tmp_path, capsys, key, value, named, command
):
    """Found by fuzzing: ``sensitivity`` and ``discover`` accepted a sweep.json whose points,
    runs, samples, design or worlds were edited (or text where a boolean belongs), and
    ``--resume`` ran the missing tasks with other seeds or reps, or ended in a KeyError."""
    import json
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(small_sweep, folder)
    meta = json.loads((folder / "sweep.json").read_text())
    if key.startswith("spec.factors.0."):
        meta["spec"]["factors"][0][key.rsplit(".", 1)[1]] = value
    else:
        _edit(meta, key, value)
    (folder / "sweep.json").write_text(json.dumps(meta))
    argv = {
        "sensitivity": ["sensitivity", str(folder)],
        "resume": ["sweep", "--resume", str(folder), "--workers", "1", "--quiet"],
    }[command]
    before = _files(tmp_path)
    _refused(capsys, argv, named)
    assert _files(tmp_path) == before


@pytest.mark.parametrize("command", ["discover", "report"])
def test_a_sweep_json_with_wrong_counts_is_refused_by_discover_and_report(
    small_sweep, tmp_path, capsys, command
):
    import json
    import shutil

    if command == "discover":
        pytest.importorskip("sklearn")
    folder = tmp_path / "s"
    shutil.copytree(small_sweep, folder)
    meta = json.loads((folder / "sweep.json").read_text())
    meta["runs"] = 40
    (folder / "sweep.json").write_text(json.dumps(meta))
    argv = {
        "discover": ["discover", str(folder), "--outcome", "verdict == 'deterrence_failed'"],
        "report": ["report", str(folder)],
    }[command]
    before = _files(tmp_path)
    _refused(capsys, argv, "runs", "expected 4")
    assert _files(tmp_path) == before


def test_sweeps_of_every_design_as_written_are_accepted(tmp_path, short_base, capsys):
    """What the checks must not refuse: a grid over an integer parameter (its rounded levels
    coincide: 3 years from 4 samples), a flag swept as a range, a list of points, Sobol and
    Morris designs, and a sweep in sampled worlds."""
    (tmp_path / "list.toml").write_text(
        f'base = "{short_base}"\ndesign = "list"\n[[points]]\n'
        '"united_states.threat_intensity" = 0.2\n"allies.peer_weight" = 0.2\n[[points]]\n'
        '"united_states.threat_intensity" = 0.3\n"allies.peer_weight" = 0.1\n'
    )
    ti = "united_states.threat_intensity=0:1"
    folders = [
        _sweep(
            tmp_path,
            short_base,
            "grid",
            "--param",
            "run.end_year=2026:2028",
            "--param",
            "united_states.execute_threats=0:1",
            "--design",
            "grid",
            "--samples",
            "4",
        ),
        _sweep(
            tmp_path,
            short_base,
            "values",
            "--param",
            "united_states.threat_intensity=0.1,0.5",
            "--design",
            "list",
        ),
        _sweep(tmp_path, tmp_path / "list.toml", "points"),
        _sweep(tmp_path, short_base, "sobol", "--param", ti, "--design", "sobol", "--samples", "1"),
        _sweep(
            tmp_path, short_base, "morris", "--param", ti, "--design", "morris", "--samples", "1"
        ),
        _sweep(tmp_path, short_base, "worlds", "--param", ti, "--samples", "2", "--worlds"),
    ]
    import json

    assert json.loads((folders[0] / "sweep.json").read_text())["points"] == 3 * 4
    for folder in folders:
        assert main(["sweep", "--resume", str(folder), "--workers", "1", "--quiet"]) == 0
    for folder in folders[3:]:
        assert main(["sensitivity", str(folder)]) == 0, capsys.readouterr().err


# -- an event's magnitude on a kind that has none ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "target"), [("russia_probe", "EST"), ("european_command", ""), ("accession", "FIN")]
)
def test_a_magnitude_on_an_event_kind_without_one_is_refused(tmp_path, capsys, kind, target):
    """Found by fuzzing: ``magnitude = 50`` on a russia_probe, an accession or a European
    command was accepted and ignored (a summit's or a drawdown's is read)."""
    run = "[run]\nstart_year = 2020\n" if kind == "accession" else ""
    line = f'target = "{target}"\n' if target else ""
    (tmp_path / "m.toml").write_text(
        f'{run}[[events]]\nyear = 2022\nkind = "{kind}"\n{line}magnitude = 50\n'
    )
    error = _refused(capsys, ["validate", "m.toml"], "m.toml", "events[0].magnitude", cwd=tmp_path)
    assert "us_pressure" in error and "summit" in error  # the kinds that take one


def test_a_manifests_events_without_a_magnitude_come_back():
    """A resolved scenario (a manifest) holds every event's default magnitude: read back."""
    from sim.scenario.loader import scenario_from_dict

    for name in ("baltic_probe", "european_surge", "hindcast_2014"):
        sc = sim.load_scenario(name)
        assert scenario_from_dict(sc.to_dict()).events == sc.events


@pytest.mark.parametrize("kind", ["us_pressure", "us_drawdown", "russian_aggression"])
def test_a_magnitude_over_one_on_a_0_1_kind_is_refused(tmp_path, capsys, kind):
    """Found by fuzzing: a us_pressure of 5 was capped at 1 without a word, a drawdown of 3 cut
    more than the posture, an aggression of 50 on an index 0-1: each unit's range is checked
    (1 itself is accepted; a greyzone surge's count of attacks may exceed it)."""
    (tmp_path / "m.toml").write_text(f'[[events]]\nyear = 2027\nkind = "{kind}"\nmagnitude = 5\n')
    error = _refused(capsys, ["validate", "m.toml"], "m.toml", "events[0].magnitude", cwd=tmp_path)
    assert "0-1" in error
    (tmp_path / "m.toml").write_text(f'[[events]]\nyear = 2027\nkind = "{kind}"\nmagnitude = 1\n')
    assert sim.load_scenario(tmp_path / "m.toml").events[-1].magnitude == 1.0
    (tmp_path / "g.toml").write_text(
        '[[events]]\nyear = 2027\nkind = "greyzone_surge"\nmagnitude = 5\n'
    )
    assert sim.load_scenario(tmp_path / "g.toml").events[-1].magnitude == 5.0


def test_a_manifest_with_a_magnitude_on_a_kind_without_one_is_refused():
    """A manifest's resolved events carry the default magnitude on every kind (dropped on
    read); another value there was dropped too, so a hand-edited one passed unseen."""
    from sim.scenario.loader import scenario_from_dict

    d = sim.load_scenario("baltic_probe").to_dict()
    probe = next(e for e in d["events"] if e["kind"] == "russia_probe")
    probe["magnitude"] = 50.0
    with pytest.raises(ScenarioError, match="magnitude"):
        scenario_from_dict(d)


# -- a symlinked --out is locked where the results go ---------------------------------------------


@pytest.mark.parametrize("held", ["link", "target"])
def test_a_link_and_its_target_cannot_both_be_written(tmp_path, capsys, short_base, held):
    """Found by fuzzing: ``--out link`` locked ``.link.lock`` and ``--out target`` locked
    ``.target.lock``, so two commands wrote into one folder at once (the second to finish lost
    its results, and its start removed the first one's temporary folder as a killed writer's).
    The lock is beside the folder the path leads to."""
    from sim.runs.folders import claimed_folder

    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to("target")
    other = "target" if held == "link" else "link"
    argv = ["run", str(short_base), "--reps", "2", "--no-report", "--quiet"]
    with claimed_folder(tmp_path / held):
        before = _files(tmp_path)
        _refused(capsys, [*argv, "--out", str(tmp_path / other)], "no other natosim command")
        assert _files(tmp_path) == before
    assert main([*argv, "--out", str(tmp_path / other)]) == 0
    assert (tmp_path / "target" / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "target"]  # no lock left


def test_a_sweep_resumed_through_a_link_and_its_target_is_locked_once(
    small_sweep, tmp_path, capsys
):
    import shutil

    from sim.runs.folders import claimed_folder

    shutil.copytree(small_sweep, tmp_path / "s")
    (tmp_path / "l").symlink_to("s")
    with claimed_folder(tmp_path / "s", "--resume", existing=True):
        _refused(
            capsys,
            ["sweep", "--resume", str(tmp_path / "l"), "--workers", "1", "--quiet"],
            "no other natosim command",
        )


# -- a hand-edited saved seminar -------------------------------------------------------------------


def _saved_class(folder, **edits) -> None:
    import json

    session = {**saved_session(), **edits}
    folder.mkdir()
    (folder / "session.json").write_text(json.dumps(session))
    (folder / "server.json").write_text('{"host": "127.0.0.1", "port": 0}')


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("code", ""),  # the class got a new random code and printed the empty one
        ("code", "\x1b[31m"),  # printed as an escape code
        ("code", "12345678901234567890123456789012345"),
        ("instructor_token", ""),  # a new random token: the instructor locked out
        ("instructor_token", "a b"),
        ("format", 2),
        ("format", {}),
        ("played", {}),
        ("participants", ""),
        ("locked", "EST"),  # read as the roles E, S and T
        ("fog", "no"),
    ],
)
def test_a_hand_edited_saved_seminar_is_refused(tmp_path, capsys, monkeypatch, key, value):
    """Found by fuzzing: each was accepted and the class served."""
    pytest.importorskip("solara")
    from sim.seminar import server

    def no_server(*args, **kwargs):
        raise AssertionError("the seminar's server was started")

    monkeypatch.setattr(os, "execve", no_server)
    monkeypatch.setattr(server, "serve_resumed", no_server)
    _saved_class(tmp_path / "ss", **{key: value})
    before = _files(tmp_path)
    argv = ["seminar", "--resume", str(tmp_path / "ss"), "--export-dir", str(tmp_path / "ex")]
    error = _refused(capsys, argv, "session.json", key)
    assert "\x1b" not in error
    assert _files(tmp_path) == before


def test_all_factors_says_which_parameters_a_tiny_scale_leaves_out():
    """Found by fuzzing: ``--all-factors 1e-300`` dropped every numeric parameter (its range a
    single value) without a word, and the sweep ran over the flags alone. Now a warning names
    them; at the usual scales nothing is left out, so nothing is said."""
    import warnings

    from sim.sweeps.spec import all_factors

    with pytest.warns(UserWarning, match="leaves out .* numeric parameters"):
        tiny = all_factors(1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(all_factors(0.5)) > len(tiny)


def test_taking_a_folder_leaves_a_neighbours_temporary_folder_alone(tmp_path):
    """Found by review: claiming ``v1`` removed every ``.v1.*`` folder as a killed writer's,
    and ``.v1.2.tmp-...`` is the temporary folder of a command writing ``v1.2`` at that
    moment: its results were lost. Only ``v1``'s own temporary folders are cleaned."""
    from sim.runs.folders import atomic_folder, claimed_folder

    with claimed_folder(tmp_path / "v1.2") as other, atomic_folder(other) as tmp:
        (tmp / "table.csv").write_text("a\n1\n")
        killed = tmp_path / ".v1.tmp-abcd1234"  # what a killed writer of v1 left
        killed.mkdir()
        neighbour = tmp_path / ".v1.tmp-x.tmp-abcd1234"  # a writer of folder "v1.tmp-x"
        neighbour.mkdir()
        with claimed_folder(tmp_path / "v1"):
            assert tmp.is_dir() and neighbour.is_dir() and not killed.exists()
    assert (tmp_path / "v1.2" / "table.csv").read_text() == "a\n1\n"
