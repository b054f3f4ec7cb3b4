"""The scenario loader: good files resolve, bad files fail with one clear message."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.cli.commands import main
from sim.scenario import CATALOGUE, ScenarioError

from .conftest import ROOT, SCENARIOS

NUMERIC = [p for p in CATALOGUE.params if p.kind in ("float", "int")]
# parameters under a cross-field rule are tested on their own: the run years (end after start,
# test_end_before_start) and the budget rule's weights (test_pledge_and_peer_weights_...)
COUPLED = {"allies.pledge_weight", "allies.peer_weight"}
INDEPENDENT = [p for p in NUMERIC if p.section != "run" and p.key not in COUPLED]
FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def expect_error(path, *fragments):
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    msg = str(info.value)
    assert str(path.name) in msg or "extends" in msg
    for f in fragments:
        assert f in msg, msg
    return msg


# -- good input ----------------------------------------------------------------------------------
def test_shipped_scenarios_validate():
    for path in SCENARIOS:
        sc = sim.load_scenario(path)
        assert sc.description and sc.claims


def test_extends_overrides_and_per_ally_values(tmp_path):
    write(
        tmp_path,
        "parent.toml",
        "[allies]\nthreat_gain = 2.0\n[allies.overrides.ESP]\n"
        'holdout = true\n[[events]]\nyear = 2027\nkind = "us_drawdown"\nmagnitude = 0.1\n',
    )
    child = write(
        tmp_path,
        "child.toml",
        'extends = "parent"\n[allies]\nthreat_gain = 3.0\n'
        '[allies.overrides.BEL]\nholdout = true\n[series.china_pull]\n"2025" = 0.1\n'
        '"2030" = 0.9\n[[events]]\nyear = 2028\nkind = "us_reassurance"\n',
    )
    sc = sim.load_scenario(child)
    assert sc.name == "child"
    assert sc.get("allies.threat_gain") == 3.0
    assert sc.ally_value("ESP", "holdout") and sc.ally_value("BEL", "holdout")
    assert not sc.ally_value("FRA", "holdout")
    assert [e.kind for e in sc.events] == ["us_drawdown", "us_reassurance"]
    assert sc.series_at("china_pull", 2027.5) == pytest.approx(0.5)
    assert sc.series_at("china_pull", 2050) == 0.9


def test_cajole_is_baseline_without_consequences():
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    caj = sim.load_scenario(ROOT / "scenarios" / "cajole.toml")
    assert caj.get("united_states.threat_intensity") == 0.0
    assert not caj.get("united_states.execute_threats")
    assert caj.ally_value("ESP", "holdout") == base.ally_value("ESP", "holdout")
    assert caj.get("run.end_year") == base.get("run.end_year")


# -- bad input -----------------------------------------------------------------------------------
def test_unknown_key(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", "[allies]\nthreat_gian = 1.0\n"),
        "allies.threat_gian",
        "a known parameter",
    )


def test_unknown_section(tmp_path):
    expect_error(write(tmp_path, "a.toml", "[alies]\nthreat_gain = 1.0\n"), "alies")


def test_wrong_type(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", '[allies]\nthreat_gain = "high"\n'),
        "allies.threat_gain",
        "a number in",
    )


def test_out_of_bounds(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", "[united_states]\nthreat_intensity = 1.5\n"),
        "united_states.threat_intensity",
        "[0, 1]",
    )


def test_unknown_country_code(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", "[allies.overrides.XXX]\nholdout = true\n"),
        "allies.overrides.XXX",
        "ISO3",
    )


def test_an_empty_per_ally_table_names_an_ally(tmp_path):
    """``[allies.overrides.XYZ]`` with nothing under it ran silently, though ``XYZ`` names no
    ally (with values it is refused); it is refused by name. An empty table of a real ally
    (its values commented out) changes nothing and is taken."""
    expect_error(
        write(tmp_path, "a.toml", "[allies.overrides.XYZ]\n"), "allies.overrides.XYZ", "ISO3"
    )
    sc = sim.load_scenario(write(tmp_path, "b.toml", "[allies.overrides.FRA]\n# holdout = 1\n"))
    assert sc.params == sim.Scenario.default().params


def test_per_ally_override_of_a_global_parameter(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", "[allies.overrides.ESP]\nthreat_gain = 1.0\n"), "per-ally"
    )


def test_cycle_in_extends(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b"\n')
    expect_error(write(tmp_path, "b.toml", 'extends = "a"\n'), "cycle")


def test_missing_parent(tmp_path):
    expect_error(write(tmp_path, "a.toml", 'extends = "nowhere"\n'), "extends", "exists")


def test_empty_extends_is_refused(tmp_path):
    """``extends = ""`` (or blanks) was read as extending nothing: likely a name left out."""
    for blank in ('""', '"  "'):
        path = write(tmp_path, "a.toml", f"extends = {blank}\n[run]\nend_year = 2030\n")
        expect_error(path, "extends", "leave extends out")


def test_unreadable_file(tmp_path):
    path = write(tmp_path, "a.toml", "")
    path.write_bytes(b"\xff\xfe\x00 bad")
    expect_error(path, "(")


def test_missing_file(tmp_path):
    expect_error(tmp_path / "none.toml", "existing scenario file")


def test_end_before_start(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", "[run]\nstart_year = 2025\nend_year = 2020\n"), "run.end_year"
    )


def test_bad_event(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", '[[events]]\nyear = 2030\nkind = "invasion"\n'), "events[0].kind"
    )
    expect_error(
        write(tmp_path, "b.toml", '[[events]]\nyear = 2030\nkind = "russia_probe"\n'),
        "events[0].target",
    )


def test_accession_events_only_bring_a_join_forward(tmp_path):
    """An ally joins in its allies.csv year without an event; an event may bring the join
    forward (a counterfactual) but not put it off, and an ally already a member at the start
    cannot join again."""
    run = "[run]\nstart_year = 2014\nend_year = 2030\n"
    early = write(
        tmp_path, "e.toml", run + '[[events]]\nyear = 2016\nkind = "accession"\ntarget = "FIN"\n'
    )
    assert sim.load_scenario(early).events
    late = write(
        tmp_path, "l.toml", run + '[[events]]\nyear = 2026\nkind = "accession"\ntarget = "FIN"\n'
    )
    expect_error(late, "events[0].year", "no later than 2023")
    member = write(
        tmp_path, "m.toml", run + '[[events]]\nyear = 2016\nkind = "accession"\ntarget = "EST"\n'
    )
    expect_error(member, "events[0].target", "not a member in 2014")


def test_bad_series(tmp_path):
    expect_error(
        write(tmp_path, "a.toml", '[series.china_pull]\n"2030" = 3.0\n'), "series.china_pull.2030"
    )
    expect_error(
        write(tmp_path, "b.toml", '[series.china_pul]\n"2030" = 0.3\n'), "series.china_pul"
    )


@FAST
@given(param=st.sampled_from(NUMERIC), excess=st.floats(0.001, 1e6))
def test_any_out_of_bounds_number_is_rejected(tmp_path, param, excess):
    value = param.high + excess if param.kind == "float" else int(param.high) + 1 + int(excess)
    path = write(tmp_path, "h.toml", f"[{param.section}]\n{param.name} = {value!r}\n")
    expect_error(path, param.key)


@FAST
@given(param=st.sampled_from(INDEPENDENT), frac=st.floats(0.0, 1.0))
def test_any_in_bounds_number_is_accepted(tmp_path, param, frac):
    value = param.low + frac * (param.high - param.low)
    if param.kind == "int":
        value = round(value)
    path = write(tmp_path, "h.toml", f"[{param.section}]\n{param.name} = {value!r}\n")
    assert sim.load_scenario(path).get(param.key) == pytest.approx(value)


@FAST
@given(pledge=st.floats(0.0, 1.0), peer=st.floats(0.0, 1.0))
def test_pledge_and_peer_weights_are_accepted_exactly_when_their_sum_is_below_095(
    tmp_path, pledge, peer
):
    path = write(
        tmp_path, "w.toml", f"[allies]\npledge_weight = {pledge!r}\npeer_weight = {peer!r}\n"
    )
    if pledge + peer < 0.95:
        assert sim.load_scenario(path).get("allies.pledge_weight") == pledge
    else:
        with pytest.raises(ScenarioError, match=r"below 0\.95"):
            sim.load_scenario(path)


@FAST
@given(key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20))
def test_any_unknown_key_is_rejected(tmp_path, key):
    if key in CATALOGUE.by_section["russia"]:
        return
    path = write(tmp_path, "h.toml", f"[russia]\n{key} = 1\n")
    expect_error(path, f"russia.{key}")


@FAST
@given(
    value=st.one_of(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=5),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_any_wrongly_typed_value_is_rejected(tmp_path, value):
    import json

    literal = json.dumps(value, ensure_ascii=False)
    path = write(tmp_path, "h.toml", f"[perception]\nthreat_base = {literal}\n")
    expect_error(path, "perception.threat_base")


# -- the command line on bad input ---------------------------------------------------------------
def test_cli_bad_input_exits_2_with_one_message_and_no_output(tmp_path, capsys):
    bad = write(tmp_path, "bad.toml", "[allies]\nthreat_gain = 99\n")
    out = tmp_path / "out"
    code = main(["run", str(bad), "--reps", "2", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "bad.toml" in err[0] and "allies.threat_gain" in err[0]
    assert not out.exists()
    assert os.listdir(tmp_path) == ["bad.toml"]


@pytest.mark.parametrize(
    ("text", "key", "expect"),
    [
        ("[mechanisms]\npledgee = false\n", "mechanisms.pledgee", "known parameter"),
        ('[mechanisms]\npledge = "maybe"\n', "mechanisms.pledge", "true or false"),
        ("[mechanisms]\nprobing = 1\n", "mechanisms.probing", "true or false"),
    ],
)
def test_bad_switches_exit_2_with_one_message_and_no_output(tmp_path, capsys, text, key, expect):
    """A knock-out switch that does not exist, or a value that is not a flag: one message naming
    the file and the switch, exit 2, nothing written; the sweep command likewise."""
    bad = write(tmp_path, "bad.toml", text)
    out = tmp_path / "out"
    assert main(["run", str(bad), "--reps", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and key in err[0] and expect in err[0]
    assert not out.exists()
    sweep_out = tmp_path / "sweep"
    code = main(["sweep", "baseline", "--param", "mechanisms.nope=0:1", "--out", str(sweep_out)])
    assert code == 2 and not sweep_out.exists()
    assert "mechanisms.nope" in capsys.readouterr().err


def test_cli_validate_reports_errors_with_exit_2(tmp_path, capsys):
    bad = write(tmp_path, "bad.toml", 'extends = "bad"\n')
    assert main(["validate", str(bad)]) == 2
    assert "cycle" in capsys.readouterr().err


def test_every_claim_of_every_scenario_has_its_sentence_from_the_articles():
    from sim.analysis.claims import CLAIMS

    assert set(CLAIMS) == {f"C{i}" for i in range(1, 20)}
    seeds = ROOT.parent / "shared" / "seeds"
    texts = {p.name[:3]: p.read_text() for p in seeds.glob("*.txt")} if seeds.is_dir() else {}
    for c, (seed, sentence) in CLAIMS.items():
        if texts:
            assert sentence in texts[seed], c  # quoted verbatim
    for path in SCENARIOS:
        text = path.read_text()
        for c in sim.load_scenario(path).claims:
            assert c in CLAIMS
            assert f"# {c}: " in text, (path.name, c)  # the sentence is in the file
