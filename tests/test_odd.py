"""The ODD document covers every parameter of the schema and its generated tables are current."""

from __future__ import annotations

from sim.docs import BEGIN, END, parameter_tables
from sim.scenario import CATALOGUE

from .conftest import ROOT

ODD = ROOT / "docs" / "ODD.md"


def test_every_schema_parameter_appears_in_the_odd():
    text = ODD.read_text()
    missing = [p.key for p in CATALOGUE.params if f"`{p.key}`" not in text]
    missing += [s.name for s in CATALOGUE.series if f"`series.{s.name}`" not in text]
    assert not missing, f"not in docs/ODD.md: {missing}"


def test_generated_parameter_tables_are_current():
    text = ODD.read_text()
    block = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert block == parameter_tables(), "run: python -m sim.docs"


def test_odd_has_the_protocol_sections():
    text = ODD.read_text()
    for heading in (
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialisation",
        "Input data",
        "Submodels",
    ):
        assert heading in text, heading
    for m in range(1, 10):
        assert f"M{m}" in text
