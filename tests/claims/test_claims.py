"""The claims C1-C19 as experiments (``sim.analysis.experiments``): each claim test states the
claim's
sentence, measures the effect with its mechanism on, and the meta-test runs it again with the
mechanism knocked out and asserts that it no longer holds, so a claim test that only restates an
input or a formula is caught by the suite itself.

``pytest tests/claims -s`` prints every effect with its 95% interval, on and off.
"""

from __future__ import annotations

import pytest

from sim.analysis.claims import CLAIMS
from sim.analysis.experiments import CLAIM_EXPERIMENTS, run_claim
from sim.scenario.params_switches import BY_NAME

IDS = [e.claim for e in CLAIM_EXPERIMENTS]


def test_every_claim_is_an_experiment_with_a_knockout():
    assert sorted(IDS, key=lambda c: int(c[1:])) == sorted(CLAIMS, key=lambda c: int(c[1:]))
    for exp in CLAIM_EXPERIMENTS:
        assert exp.knockout and all(s in BY_NAME for s in exp.knockout), exp.claim
        assert exp.claim in sum((BY_NAME[s].claims for s in exp.knockout), ()), exp.claim


@pytest.mark.parametrize("exp", CLAIM_EXPERIMENTS, ids=IDS)
def test_claim_holds_with_its_mechanism(exp):
    result = run_claim(exp)
    print(result.text)
    assert result.holds, result.text


@pytest.mark.parametrize("exp", CLAIM_EXPERIMENTS, ids=IDS)
def test_claim_fails_with_its_mechanism_knocked_out(exp):
    """The meta-test: the same claim test, with the mechanism switched off, must fail."""
    result = run_claim(exp, knocked_out=True)
    print(result.text)
    assert not result.holds, f"{exp.claim} still holds with {exp.knockout} off:\n{result.text}"
