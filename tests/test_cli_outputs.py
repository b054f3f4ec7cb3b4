"""`natosim run`, `validate` and `list`, and the results folder they write."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.cli.commands import main
from sim.model.outputs import ALLY_COLUMNS, MODEL_COLUMNS
from sim.runs.store import read_table

from .conftest import ROOT


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("res") / "baseline"
    code = main(
        [
            "run",
            str(ROOT / "scenarios" / "baseline.toml"),
            "--reps",
            "3",
            "--seed",
            "7",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert (out / "report.html").exists()  # written by default
    return out


def test_results_folder_has_manifest_and_four_tables(run_folder):
    names = {p.name for p in run_folder.iterdir()}
    assert {
        "manifest.json",
        "model.parquet",
        "allies.parquet",
        "events.parquet",
        "summary.parquet",
        "worlds.parquet",  # each run in its own world, by default
        "cruxes.csv",  # written by the command (sim.analysis.cruxes.write_cruxes)
        "cruxes.txt",
    } <= names
    man = json.loads((run_folder / "manifest.json").read_text())
    assert man["natosim_version"] == sim.__version__
    assert man["root_seed"] == 7 and man["replication_seeds"] == sim.replication_seeds(7, 3)
    assert "--reps 3" in man["command"]
    assert man["scenario"]["name"] == "baseline"
    assert man["scenario"]["params"]["united_states"]["threat_intensity"] == 0.7
    assert man["git_commit"]


def test_tables_have_every_output_column(run_folder):
    model, allies = read_table(run_folder, "model"), read_table(run_folder, "allies")
    assert set(MODEL_COLUMNS) | {"run", "seed"} == set(model.columns)
    assert set(ALLY_COLUMNS) | {"run", "seed"} == set(allies.columns)
    assert allies["iso3"].nunique() == 31
    assert set(model["run"]) == {0, 1, 2}
    events, summary = read_table(run_folder, "events"), read_table(run_folder, "summary")
    assert {"run", "seed", "year", "kind", "event"} <= set(events.columns)
    assert events["event"].str.match(r"^\d{4}: ").all()
    assert len(summary) == 3 and summary["verdict"].isin(sim.VERDICTS).all()


def test_same_seed_same_files(run_folder, tmp_path):
    out = tmp_path / "again"
    assert (
        main(["run", "baseline", "--reps", "3", "--seed", "7", "--out", str(out), "--no-report"])
        == 0
    )
    for t in ("model", "allies", "events", "summary"):
        pd.testing.assert_frame_equal(read_table(run_folder, t), read_table(out, t))


def test_csv_format_and_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            [
                "run",
                str(ROOT / "scenarios" / "cajole.toml"),
                "--reps",
                "2",
                "--format",
                "csv",
                "--no-report",
            ]
        )
        == 0
    )
    (folder,) = list((tmp_path / "results" / "cajole").iterdir())
    assert (folder / "model.csv").exists()
    assert len(read_table(folder, "summary")) == 2


def test_refuses_to_overwrite_results(run_folder, capsys):
    assert main(["run", "baseline", "--reps", "1", "--out", str(run_folder)]) == 2
    assert "is empty" in capsys.readouterr().err


def test_list_and_validate(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "cajole" in out
    assert main(["validate", str(ROOT / "scenarios" / "baseline.toml")]) == 0


def test_bad_arguments_exit_2():
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", "baseline", "--reps", "0"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and "--reps" in proc.stderr


def test_python_m_sim_runs(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            "baseline",
            "--reps",
            "1",
            "--no-report",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "results:" in proc.stdout


def test_manifest_records_versions_data_checksums_and_warns_on_a_mismatch(tmp_path):
    import json

    import pytest

    from sim.cli.commands import main
    from sim.report import build_report

    out = tmp_path / "r"
    assert main(["run", "baseline", "--reps", "2", "--out", str(out), "--no-report"]) == 0
    man = json.loads((out / "manifest.json").read_text())
    for name in ("numpy", "pandas", "pyarrow", "scipy", "SALib", "mesa", "networkx"):
        assert man["versions"][name] not in ("", "not installed"), name
    assert len(man["data_sha256"]["defence_pct_gdp.csv"]) == 64
    assert man["git_commit"]
    man["versions"]["numpy"] = "0.0.1"
    man["data_sha256"]["allies.csv"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(man))
    with pytest.warns(UserWarning, match=r"numpy 0\.0\.1 -> .*allies\.csv"):
        build_report(out)


def test_a_misspelt_flag_gets_the_closest_of_its_command(capsys):
    """``natosim run baseline --rpes 3``: refused (exit 2), naming --reps; nothing runs."""
    with pytest.raises(SystemExit) as exc:
        main(["run", "baseline", "--rpes", "3"])
    assert exc.value.code == 2
    assert "did you mean --reps?" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sweep", "sweeps/coercion_signs.toml", "--wrokers", "1"])
    assert "did you mean --workers?" in capsys.readouterr().err


def test_compare_in_the_paper_style_writes_a_journal_figure(tmp_path, capsys):
    """``paired.png`` follows ``--style paper`` like the report's figures: 300 dpi, at most 7
    inches wide."""
    from PIL import Image

    out = tmp_path / "cmp"
    args = ["compare", "baseline", "cajole", "--reps", "3", "--no-report", "--quiet"]
    assert main([*args, "--style", "paper", "--out", str(out)]) == 0
    with Image.open(out / "paired.png") as im:
        dpi = im.info["dpi"][0]
        assert round(dpi) == 300
        assert im.size[0] / round(dpi) <= 7.0  # PNG stores dots per metre: 299.9994 read back


def test_every_command_that_shows_progress_takes_quiet():
    """``--quiet`` silences the progress bars of every command that runs replications (a user
    scripting ``natosim debate`` must not get an "unrecognized argument"), and a debate run with
    it prints no bar."""
    from sim.cli.commands import build_parser

    parser = build_parser()
    for argv in (
        ["run", "baseline", "--quiet"],
        ["compare", "baseline", "cajole", "--quiet"],
        ["debate", "--quiet"],
        ["sweep", "sweeps/coercion_signs.toml", "--quiet"],
    ):
        assert parser.parse_args(argv).quiet is True, argv[0]


def test_the_command_starts_without_the_heavy_libraries():
    """``natosim --help``, ``list`` and a refusal of bad input answer in a fraction of a second:
    the command's modules import SciPy, matplotlib, Mesa and pandas only in the commands that
    use them. Before, the calibration commands' module imported the hindcast (SciPy, the
    report's matplotlib, Mesa) at import, and every ``natosim`` call took about 2 s."""
    import subprocess
    import sys

    code = (
        "import contextlib, io, sys\n"
        "from sim.cli.commands import main\n"
        "quiet = io.StringIO()\n"
        "with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):\n"
        "    for argv in (['--help'], ['list'], ['run', 'no_such_scenario']):\n"
        "        try:\n"
        "            main(argv)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "heavy = [m for m in ('scipy', 'matplotlib', 'mesa', 'pandas', 'pyarrow', 'solara')"
        " if m in sys.modules]\n"
        "print('heavy:', ' '.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "heavy:"


def test_tables_read_back_by_one_thread_equal_pandas_own_reader(run_folder):
    """``sim.runs.store.read_parquet`` (one thread: pyarrow's dataset reader hangs, deaf to
    SIGTERM, when an address-space limit keeps its threads from starting) gives what
    ``pd.read_parquet`` gives: the same values and dtypes, every table of a results folder."""
    import pandas as pd

    from sim.runs.store import read_parquet

    tables = sorted(run_folder.glob("*.parquet"))
    assert len(tables) >= 5
    for path in tables:
        pd.testing.assert_frame_equal(read_parquet(path), pd.read_parquet(path), check_exact=True)
