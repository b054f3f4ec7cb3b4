"""What advancing R replications as one array would save on the allies' yearly rules (issue 25).

The design in docs/benchmarks.md ("replications as an array axis") expects the per-year cost of
NumPy's calls to be shared by R runs. This measures that expectation on the real rule functions
before anything is built: the allies' chain of one year (threat perception over the network,
trust, the answer to coercion, what coercion adds, the desired budget and the budget step,
``sim.agents.ally_rules`` and ``sim.mechanisms.coercion``), called on the allies' state as
(R, allies) arrays with the US's threat signal and credibility as (R, 1) columns (its other
values single numbers), for R = 1, 7, 64 and 256. It prints the time per run of
one year's chain and its ratio to R = 1. Figures, not a test: the machine is shared.

    python benchmarks/array_axis_probe.py [--repeat 5]

It measures these rules only, not the whole model nor the whole of the allies' year: the
situational threat, the noise draw, peers, the pledge's pull, the budget's reasons,
reclassification and deadlines, the crisis game, the incursions' draws, the recorder and the
per-run Python around them are not in it (``update_trust``'s exit and ``situational_threat``
would need ``np.where`` to take a per-run value).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import sim
from sim.agents import ally_rules as rules
from sim.mechanisms import coercion
from sim.model.alliance import AllianceModel


def chain(m: AllianceModel, runs: int, rng: np.random.Generator):
    """The year's state for ``runs`` runs of ``m`` (each ally's values jittered per run) and a
    function that runs the allies' rule chain once on it."""
    s, n, R = m.ally_state, len(m.allies), runs
    pp, pa, pc = m.p_perception, m.p_allies, m.p_coercion

    def per_run(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=float)[None, :] * (1.0 + 0.01 * rng.standard_normal((R, n)))

    threat, trust, core = per_run(s.threat), per_run(s.trust), per_run(s.core_pct)
    situational, peers = per_run(s.threat), per_run(s.core_pct)
    base, size, resistance = s.base_pct, s.size, s.resistance
    posture_w, proximity = s.posture_weight, s.proximity
    cred = 0.3 + 0.1 * rng.random((R, 1))
    signal = 0.5 * rng.random((R, 1)) * np.ones((1, n))
    weights_t = np.ascontiguousarray(m.norm_weights.T)
    shocks = rng.normal(0.0, pa["budget_noise_sd"], (R, n))
    holdout, cap = s.holdout, s.holdout_cap

    def run() -> np.ndarray:
        neighbours = threat @ weights_t  # the network product over the run axis
        t = rules.perceive_threat(pp, threat, situational, neighbours)
        tr = rules.update_trust(pp, trust, signal, 0.0, posture_w, 0.1, 0.0, False)
        dep = coercion.dependence(0.5, posture_w, proximity)
        # the credibility of each run, an (R, 1) column where the rule is typed for one run
        shares = coercion.response_shares(pc, dep, cred, t, tr, signal, resistance)  # type: ignore[arg-type]
        need = rules.need_pct(pa, base, t, tr, size)
        push = coercion.coercion_pp(pc, signal, shares, pa["compliance_gain"] * cred, 3.5, need)
        desired = rules.desired_core_pct(pa, need, push, 3.5, peers, shocks, holdout, cap, 0.1)
        return rules.set_budget(core, desired, s.adjustment, s.max_rise, s.max_cut, t, 1.0)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    m = AllianceModel(sim.load_scenario("baseline"), rng=1)
    rng = np.random.default_rng(0)
    per_run = {}
    for R in (1, 7, 64, 256):
        run = chain(m, R, rng)
        calls = max(20, 20_000 // R)
        best = np.inf
        for _ in range(args.repeat):
            t0 = time.process_time()
            for _ in range(calls):
                run()
            best = min(best, (time.process_time() - t0) / calls / R)
        per_run[R] = best
        print(
            f"R = {R:3d}: {best * 1e6:8.1f} us of CPU per run for one year's ally rules "
            f"({per_run[1] / best:5.1f}x R = 1)"
        )
    print(
        "The model's year costs about 1,200 us per run (16 years, about 19 ms a run); these rules "
        "are part of it: the ratio is what the array axis would save on them."
    )


if __name__ == "__main__":
    main()
