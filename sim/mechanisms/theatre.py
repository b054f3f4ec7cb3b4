"""M9: who could fight where: the forces of a crisis theatre, year by year, from the model.

:class:`Theatre` holds what does not change in a run (capital distances, the purchasing-power
factors, which allies Russia can reach and how much force it can project there) and, each year,
the forces that are there: every ally's own forces, NATO's forward presence by lead nation and
host, and US ground forces by host. :meth:`Theatre.inputs` turns them into the inputs of a
:func:`~sim.mechanisms.local_balance.race` for a set of targets, given who answers (0/1 in an
actual crisis, probabilities in Russia's reckoning). Rules in
:mod:`sim.mechanisms.local_balance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import data
from ..engine import group
from ..model.network import cached_arrays, distance_matrix, great_circle_km
from . import capability as cap
from .local_balance import ppp_factor

if TYPE_CHECKING:
    from ..engine.batch import Batch
    from ..model.alliance import AllianceModel

US_HUB = "DEU"  # where US reinforcements within Europe start from (EUCOM, Ramstein)
BALTIC_SEA_EXTRA = ("POL", "DEU")  # Baltic Sea littoral allies outside the Nordic-Baltic Eight


class Theatre:
    """The forces of every ally that a crisis could involve (rules in the module docstring)."""

    def __init__(self, model: AllianceModel) -> None:
        c = model.p_crisis
        self.c = c
        records = data.allies()
        self.codes = model.codes
        self.n = len(records)
        self.km = distance_matrix()
        hub = self.codes.index(US_HUB)
        self.km_hub = self.km[hub]
        gdp_head = np.array([r.gdp_usd_2024 / max(r.population_2024, 1) for r in records])
        eu = np.array([r.european and r.armed_forces for r in records])
        pop = np.array([r.population_2024 for r in records], dtype=float)
        gdp = np.array([r.gdp_usd_2024 for r in records])
        reference = gdp[eu].sum() / pop[eu].sum()
        self.ppp = ppp_factor(gdp_head, reference, c["ppp_elasticity"])
        self.network = model._network_items  # the network's parameters (fixed in a run)
        self.reachable = np.array(
            [r.land_border_russia or r.land_border_belarus or r.black_sea for r in records]
        )
        self.project(model.proximity, model.p_russia)
        self.region = np.array(
            [("nb8" in r.groups or r.iso3 in BALTIC_SEA_EXTRA) and r.armed_forces for r in records]
        )
        self.european = eu
        self.armed = np.array([r.armed_forces for r in records])
        start = model.start_year
        self.enablers_start = float(
            model.europe_capability()[cap.ENABLERS] + model.us_base[cap.ENABLERS]
        )
        # arrays derived from what is fixed in a run (and the parameters in the key), computed
        # once: rules that would rebuild them every year read them from here
        self.cache: dict[tuple, Any] = {}
        self.own = np.zeros(self.n)
        self.presence = np.zeros((self.n, self.n))
        self.presence_at: tuple | None = None  # (:func:`_presence_at`)
        self.us_host = np.zeros(self.n)
        self.refresh(model, start)
        # the forces of the start year, which Russia's readiness is measured against
        # (:meth:`opposing_forces`): own forces and forward presence before membership
        self.own_start = self.own.copy()
        self.presence_start = _presence(start, self.c["troops_per_bde"])

    @property
    def presence(self) -> np.ndarray:
        """NATO's forward presence, lead nation x host, bde-e, among this year's members
        (:func:`refresh_theatres`)."""
        return self._presence

    @presence.setter
    def presence(self, value: np.ndarray) -> None:
        """A presence bound from outside (a test, a what-if): made anew the next year."""
        self._presence = value
        # what the presence was made of (:func:`refresh_theatres`): the data's array and the
        # members (read-only copies); None for one bound from outside
        self.presence_from: tuple[np.ndarray, np.ndarray] | None = None

    def project(self, proximity: np.ndarray, p_russia: Mapping[str, Any]) -> None:
        """Russia's force projection factor per ally, ``proximity ^ projection_elasticity``
        (the ``[russia]`` table: set at the start and again when a lever moves it)."""
        self.projection = np.asarray(proximity) ** p_russia["projection_elasticity"]

    def refresh(self, model: AllianceModel, year: int) -> None:
        """This year's forces (:func:`refresh_theatres` for this run alone)."""
        refresh_theatres([self], [model], [year])

    def inputs(
        self,
        model: AllianceModel,
        targets: np.ndarray,
        aid: np.ndarray,
        us: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Defenders in place, reinforcement amounts and their delays (hours) for ``targets``
        (indices), given each ally's answer ``aid`` (targets x allies, 0-1) and the US's ``us``
        (per target, 0-1): :func:`inputs` for this model alone."""
        in_place, amounts, delays = inputs([model], targets, aid[None], us[None])
        return in_place[0], amounts[0], delays[0]

    def _travel(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hours from each ally's capital to each target's before staging's enabler factor
        (targets x allies), and from the US hub (per target): fixed in a run for given
        ``staging_hours`` and ``move_kmh`` (:func:`fixed_arrays`, read-only)."""
        c = self.c
        _, _, travel, hub = fixed_arrays(
            targets.tobytes(), self.network, c["staging_hours"], c["move_kmh"]
        )
        return travel, hub

    def opposing_forces(self, member: np.ndarray) -> tuple[float, float, float]:
        """The NATO forces a local, a regional and a large war would meet (bde-e), at the start
        year's forces and among the allies in ``member`` (today's members; a join raises the
        regional and large ones and moves the local mean either way):
        the mean reachable ally's own forces and forward presence; the Baltic Sea region's
        allies (the Nordic-Baltic Eight, Poland, Germany); the European allies, the front
        line's (the region's and those Russia can reach) whole and the others' deployable share
        (``reinforce_share``, the NATO Force Model's: Portugal's army does not all fight in
        Lithuania). Checked against DDIS's timelines (:func:`sim.analysis.checks.ddis_timeline`)."""
        own = self.own_start
        presence = self.presence_start * member[None, :] * member[:, None]
        single = own + presence.sum(axis=0)
        cand = self.reachable & member & self.armed
        local = float(single[cand].mean()) if cand.any() else 0.0
        regional = float((own * (self.region & member)).sum())
        front = self.region | self.reachable
        deployable = np.where(front, 1.0, self.c["reinforce_share"])
        large = float((own * deployable * (self.european & member)).sum())
        return local, regional, large


@lru_cache(maxsize=256)
def _presence(year: int, troops_per_bde: float) -> np.ndarray:
    """Forward presence, lead nation x host, bde-e (rows and columns in ``data.allies()``
    order; read-only, cached): one array for the years whose data are the same (the years
    after the data's last, say), so a run's presence is made again only when they change
    (:func:`refresh_theatres`)."""
    return _presence_of(data.forward_presence(year), troops_per_bde)


@lru_cache(maxsize=64)
def _presence_of(records: tuple, troops_per_bde: float) -> np.ndarray:
    """:func:`_presence` of the data's ``records`` (host, lead nation, troops)."""
    codes = [r.iso3 for r in data.allies()]
    out = np.zeros((len(codes), len(codes)))
    for host, lead, troops in records:
        out[codes.index(lead), codes.index(host)] += troops / troops_per_bde
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def fixed_arrays(
    targets: bytes, network: tuple, staging_hours: float, move_kmh: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What is fixed in a run for the targets ``targets`` (an index array's bytes), targets x
    allies: each ally's closeness to each target (the network's weight relative to the
    strongest tie, for :func:`~sim.mechanisms.crisis.aid_logits_over`), the capitals' distance
    (km), the hours from each ally's capital before the enabler factor (``staging_hours`` +
    km / ``move_kmh``) and, per target, those from the US hub. Keyed on the network's
    parameters (``model._network_items``, which fix its weights: :func:`~sim.model.network.
    cached_arrays`) and the two numbers, so runs that share them share these read-only arrays
    (a batch reads them once, not stacked run by run)."""
    t = np.frombuffer(targets, dtype=np.intp)
    raw = cached_arrays(network)[0]
    strongest = raw.max() or 1.0
    km = distance_matrix()
    closeness = raw[t] / strongest
    km_t = km[t]
    travel = staging_hours + km[:, t].T / move_kmh
    hub = staging_hours + km[data_hub()][t] / move_kmh
    for a in (closeness, km_t, travel, hub):
        a.flags.writeable = False
    return closeness, km_t, travel, hub


def data_hub() -> int:
    """The US hub's index in ``data.allies()`` order."""
    return [r.iso3 for r in data.allies()].index(US_HUB)


MANOEUVRE = cap.CATEGORIES.index("manoeuvre")


def refresh_theatres(
    theatres: Sequence[Theatre],
    models: Sequence[AllianceModel],
    years: Sequence[int],
    batch: Batch | None = None,
) -> None:
    """This year's forces in each run's theatre: own forces from the manoeuvre stocks,
    forward presence and US forces from the data of ``year`` (the latest data year after the
    data end), US forces scaled by posture. For the runs of a batch at once (own and US forces
    elementwise over arrays of shape (runs, allies), each theatre keeping its run's row; the
    stocks read as the batch's pipelines hold them, :func:`~sim.mechanisms.capability.stocks`).

    The presence (allies x allies) is each run's own, made only when what it is made of
    changed (issue 25: it rarely does): the data's array of the year (:func:`_presence`, one
    object per data and ``troops_per_bde``, so a lever moving that number makes it anew) and
    the members (compared by value: a join changes them in place). Kept on the theatre
    (``presence_from``; a presence bound from outside, a test's or a what-if's, is made anew
    the next year, as before). Safe as nothing writes into a theatre's presence in place (the
    model binds a new one).

    ``batch``: the batch whose models' theatres these are, in its order (:mod:`sim.engine`),
    whose kept stacks of the theatres' purchasing-power factors and armed allies are read
    (:meth:`~sim.engine.batch.Batch.kept`: keyed on the very arrays, which a theatre binds once,
    at its making, and nothing writes into), not stacked anew each year."""
    cs = [t.c for t in theatres]
    stock = cap.stocks([m.pipeline for m in models])[:, :, MANOEUVRE]
    if batch is None or len(batch) == 1:  # (a batch of one: new each year, nothing kept)
        ppp = np.array([t.ppp for t in theatres])
        armed = np.array([t.armed for t in theatres])
    else:
        ppp, armed = batch.kept("theatre.ppp"), batch.kept("theatre.armed")
    bde_cost = np.array([c["bde_cost_bn"] for c in cs], dtype=float)[:, None]
    own = np.where(armed, stock * ppp / bde_cost, 0.0)
    per_year = [(y, c["troops_per_bde"]) for y, c in zip(years, cs, strict=True)]
    hosts = _shared([_us_hosts(*k) for k in per_year])
    posture = np.array([m.united_states.posture for m in models], dtype=float)[:, None]
    us_host = hosts * posture
    for t, m, k, o, u in zip(theatres, models, per_year, own, us_host, strict=True):
        t.own, t.us_host = o, u
        member = m.ally_state.member
        base = _presence(*k)
        made = t.presence_from
        if made is not None and made[0] is base and made[1].tobytes() == member.tobytes():
            continue  # (the same data and members: the same presence)
        t._presence = base * member[None, :] * member[:, None]
        kept = member.copy()
        kept.flags.writeable = False
        t.presence_from = (base, kept)


def _shared(arrays: list[np.ndarray]) -> np.ndarray:
    """The one array every run reads (the cached data of one year), or the runs' stacked."""
    first = arrays[0]
    return first if all(a is first for a in arrays) else np.array(arrays)


@lru_cache(maxsize=256)
def _us_hosts(year: int, troops_per_bde: float) -> np.ndarray:
    """US ground forces per host, bde-e, in ``data.allies()`` order (read-only, cached)."""
    hosts = data.us_forces(year)
    out = np.array([hosts.get(r.iso3, 0.0) / troops_per_bde for r in data.allies()])
    out.flags.writeable = False
    return out


def capital_to_frontier_km(iso3: str) -> float:
    """Distance from an ally's border point with Russia or Belarus (``frontier_points.csv``) to
    its capital, km: the depth of a drive on the capital."""
    rec = next(r for r in data.allies() if r.iso3 == iso3)
    lat, lon = data.frontier_points()[iso3]
    return great_circle_km(lat, lon, rec.capital_lat, rec.capital_lon)


_INPUT_KEYS = (
    "own_readiness",
    "reinforce_share",
    "us_reinforce_share",
    "us_conus_bde",
    "mobilisation_hours",
    "us_conus_hours",
    "enabler_elasticity",
)


@dataclass(frozen=True)
class Runs:
    """What a crisis's inputs and Russia's reckoning read of each of a group of runs sharing
    their targets (:func:`gather`; first axis the runs', or none for an array they share):
    per ally ``threat``, ``trust``, ``size``, ``own`` forces, ``us_host``, ``projection``
    (runs x allies) and ``able`` (a member with armed forces); ``presence`` (runs x targets x
    lead nations); ``closeness``, ``km``, ``travel`` (targets x allies) and ``hub`` (per target)
    of :func:`fixed_arrays`; ``posture`` and ``force`` (Russia's probe force) as columns;
    ``enablers`` (runs x 3: Europe's, the US's in Europe, the start year's, as
    :func:`enabler_factor` reads them)."""

    threat: np.ndarray
    trust: np.ndarray
    size: np.ndarray
    own: np.ndarray
    us_host: np.ndarray
    projection: np.ndarray
    able: np.ndarray
    presence: np.ndarray
    closeness: np.ndarray
    km: np.ndarray
    travel: np.ndarray
    hub: np.ndarray
    posture: np.ndarray
    force: np.ndarray
    enablers: np.ndarray

    def block(self, lo: int, hi: int) -> Runs:
        """What was read of the runs ``lo`` to ``hi`` (of those gathered, in their order): each
        array's rows (views), the fixed arrays as they are where the runs share them."""
        shared = self.closeness.ndim == 2  # (targets x allies: one array for every run)
        return Runs(
            **{
                f.name: a if shared and f.name in _SHARED else a[lo:hi]
                for f in fields(self)
                for a in (getattr(self, f.name),)
            }
        )


# the arrays of :func:`fixed_arrays` in :class:`Runs`, without a first axis of runs where the runs
# share them
_SHARED = frozenset(("closeness", "km", "travel", "hub"))


def gather(models: Sequence[AllianceModel], targets: np.ndarray) -> Runs:
    """:class:`Runs` for ``models`` and ``targets``, in one pass over the runs (issue 25: a
    batch's per-run reads cost more than its arithmetic). Europe's and the US's enablers are
    :meth:`~sim.model.alliance.AllianceModel.europe_capability` and
    :meth:`~sim.model.alliance.AllianceModel.us_capability_in_europe` over the runs at once
    (:func:`~sim.mechanisms.capability.in_europe` on the runs' stocks and
    :func:`~sim.mechanisms.capability.us_in_europe` on columns, as the deliveries read them);
    each run's presence at the targets is kept on its theatre
    while its presence and the targets are the same (:func:`_presence_at`)."""
    key = targets.tobytes()
    per_ally, presence, numbers, fixed, weights, us_base = [], [], [], [], [], []
    read: tuple = (None, None, None)  # the last run's network, table and fixed arrays
    for m in models:
        th, s, us = m.theatre, m.ally_state, m.united_states
        per_ally.append(
            (s.threat, s.trust, s.size, th.own, th.us_host, th.projection, s.member, s.armed)
        )
        presence.append(_presence_at(th, targets, key))
        weights.append(m.europe_weights)
        us_base.append(m.us_base)
        numbers.append(
            (
                us.posture,
                us.exited_mechanisms,
                us.p["exit_capability_loss"],
                max(th.enablers_start, 1e-9),
                m.russia.probe_force(),
            )
        )
        if th.network is not read[0] or th.c is not read[1]:  # (else the same arrays)
            c = th.c
            read = (th.network, c, fixed_arrays(key, th.network, c["staging_hours"], c["move_kmh"]))
        fixed.append(read[2])
    a = np.array(per_ally, dtype=float)  # (runs, 8, allies)
    values = np.array(numbers, dtype=float)
    first = fixed[0]
    if all(f is first for f in fixed):
        closeness, km, travel, hub = first
    else:
        closeness, km, travel, hub = (np.array([f[i] for f in fixed]) for i in range(4))
    enablers = np.empty((len(models), 3))
    stocks = cap.stocks([m.pipeline for m in models])
    enablers[:, 0] = cap.in_europe(np.array(weights), stocks)[:, cap.ENABLERS]
    posture = values[:, 0:1]
    us_europe = cap.us_in_europe(np.array(us_base), posture, values[:, 1] != 0.0, values[:, 2])
    enablers[:, 1] = us_europe[:, cap.ENABLERS]
    enablers[:, 2] = values[:, 3]
    return Runs(
        threat=a[:, 0],
        trust=a[:, 1],
        size=a[:, 2],
        own=a[:, 3],
        us_host=a[:, 4],
        projection=a[:, 5],
        able=(a[:, 6] != 0.0) & (a[:, 7] != 0.0),  # a member with armed forces
        presence=np.array(presence),
        closeness=closeness,
        km=km,
        travel=travel,
        hub=hub,
        posture=posture,
        force=values[:, 4:5],
        enablers=enablers,
    )


def _presence_at(th: Theatre, targets: np.ndarray, key: bytes) -> np.ndarray:
    """The run's presence at ``targets`` (``key``, their bytes), targets x lead nations:
    ``th.presence[:, targets].T``, kept on the theatre keyed on its presence (the very array:
    :func:`refresh_theatres` binds a new one when it changes, and nothing writes into it) and
    the targets."""
    kept = th.presence_at
    presence = th.presence
    if kept is not None and kept[0] is presence and kept[1] == key:
        return kept[2]
    out = presence[:, targets].T
    out.flags.writeable = False
    th.presence_at = (presence, key, out)
    return out


def enabler_factor(
    models: Sequence[AllianceModel], us_weight: np.ndarray, runs: np.ndarray | None = None
) -> np.ndarray:
    """Airlift, refuelling and command available for reinforcements, over the start year's:
    Europe's own plus the US's in Europe times ``us_weight`` (per model and target), in [0.1, 2]
    (``runs``: the three per model, as :func:`gather` reads them, if read already)."""
    if runs is None:
        runs = np.array(  # (models, 3) in one call: each a column of it
            [
                (
                    m.europe_capability()[cap.ENABLERS],
                    m.us_capability_in_europe()[cap.ENABLERS],
                    max(m.theatre.enablers_start, 1e-9),
                )
                for m in models
            ]
        )
    eu, us, start = runs[:, 0:1], runs[:, 1:2], runs[:, 2:3]
    return np.minimum(2.0, np.maximum(0.1, (eu + us * us_weight) / start))  # np.clip's values


def inputs(
    models: Sequence[AllianceModel],
    targets: np.ndarray,
    aid: np.ndarray,
    us: np.ndarray,
    runs: Runs | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Defenders in place, reinforcement amounts and their delays (hours) in each of
    ``models`` (a group of runs of a batch, :mod:`sim.engine.group`) for ``targets`` (indices,
    the same in every model), given each ally's answer ``aid`` (models x targets x allies, 0-1)
    and the US's ``us`` (models x targets, 0-1); first axis the models'. The parameters are each
    theatre's own (those of the run's start). ``runs``: what :func:`gather` read of them, if
    read already."""
    if runs is None:
        runs = gather(models, targets)
    ths = [m.theatre for m in models]
    c = group.numbers([th.c for th in ths], _INPUT_KEYS)
    n, allies = len(targets), ths[0].n
    own = runs.own
    own_t = own[:, targets]
    ready = c["own_readiness"]
    presence = runs.presence  # targets x lead nations
    us_host = runs.us_host
    in_place = own_t * ready + (presence * aid).sum(axis=2) + us_host[:, targets] * us
    factor = group.power(enabler_factor(models, us, runs.enablers), c["enabler_elasticity"])
    travel, hub = runs.travel, runs.hub
    posture = runs.posture
    us_europe = us * c["us_reinforce_share"] * (us_host.sum(axis=1)[:, None] - us_host[:, targets])
    us_conus = us * c["us_conus_bde"] * posture
    # columns: the target's own mobilisation, each ally's help, the US from Europe and
    # from the United States (filled in place: the same values as stacking them)
    amounts = np.empty((len(ths), n, allies + 3))
    amounts[:, :, 0] = own_t * (1.0 - ready)
    np.multiply(aid, (c["reinforce_share"] * own)[:, None, :], out=amounts[:, :, 1:-2])
    amounts[:, np.arange(n), targets + 1] = 0.0
    amounts[:, :, -2] = us_europe
    amounts[:, :, -1] = us_conus
    delays = np.empty((len(ths), n, allies + 3))
    delays[:, :, 0] = c["mobilisation_hours"]
    np.divide(travel, factor[:, :, None], out=delays[:, :, 1:-2])
    delays[:, :, -2] = hub
    delays[:, :, -1] = c["us_conus_hours"]
    return in_place, amounts, delays
