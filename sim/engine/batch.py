"""A batch of runs advanced together (:mod:`sim.engine`), and the stacking its phases share."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..mechanisms import switches

T = TypeVar("T")

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel


def structure(model: AllianceModel) -> tuple[Any, ...]:
    """What the models of one batch must share: the run's years, the allies, the knock-out
    switches and every parameter that is not a number (a batched phase reads them once for the
    batch). Numeric parameters, worlds, events and seeds may differ from run to run.

    Computed once per scenario (:meth:`Scenario.derived`): it is a function of the model's
    effective tables alone (the years and switches are theirs, the allies the data's), so it is
    kept on the scenario whose tables they are, and only while the model runs with them (a lever
    moved mid-run binds a new scenario's tables: :meth:`AllianceModel.change_params`)."""
    sc = model.config
    if model.params is not switches.effective(sc):  # tables not the scenario's own: as they are
        return _structure(model)
    return sc.derived(("batch_structure",), lambda: _structure(model), depends=tuple(sc.params))


def _structure(model: AllianceModel) -> tuple[Any, ...]:
    choices = tuple(
        (section, key, value)
        for section, table in sorted(model.params.items())
        for key, value in sorted(table.items())
        if not isinstance(value, (int, float)) or isinstance(value, bool)
    )
    return (
        model.start_year,
        model.end_year,
        tuple(model.codes),
        tuple(sorted((k, bool(v)) for k, v in model.switches.items())),
        choices,
    )


class Batch:
    """R models of one :func:`structure`, advanced a year at a time by :func:`sim.engine.year.step`.

    ``params(section)`` stacks a parameter table over the runs, a column of shape (R, 1) per
    numeric parameter, so a rule written for one run's numbers broadcasts over (R, allies)
    arrays unchanged; a text parameter must be the same in every run. The stack is kept until a
    model's table changes (a lever moved: :meth:`AllianceModel.change_params` binds a new one).
    """

    __slots__ = ("_handed", "_kept", "_params", "models")

    def __init__(self, models: Sequence[AllianceModel]) -> None:
        if not models:
            raise ValueError("a batch needs at least one model")
        if len(models) > 1:
            first = structure(models[0])
            for m in models[1:]:
                if structure(m) != first:
                    raise ValueError(
                        "the models of a batch must share their years, allies and switches"
                    )
        self.models = list(models)
        # what _on_tables keeps: key -> (the tables it was made of, what was made)
        self._params: dict[Any, tuple[list[Mapping[str, Any]], Any]] = {}
        self._kept: dict[str, tuple[list[Any], np.ndarray]] = {}
        self._handed: dict[str, tuple[Sequence[np.ndarray], list[tuple[np.ndarray, ...]]]] = {}

    @classmethod
    def of(cls, model: AllianceModel) -> Batch:
        """The batch of one model (its own ``step()``; nothing to compare its structure with)."""
        return cls([model])

    def __len__(self) -> int:
        return len(self.models)

    def on(self, switch: str) -> bool:
        """Whether the knock-out switch ``switch`` is on (the same in every model: structure)."""
        return self.models[0].on(switch)

    def stack(self, get: Callable[[AllianceModel], Any]) -> np.ndarray:
        """``get(model)`` for every model, stacked on a first axis of length R (:func:`rows`: a
        batch of one's array is a view; read it, do not write into it)."""
        return rows([get(m) for m in self.models])

    def kept(self, name: str, stack: Callable[[list[Any]], Any] | None = None) -> Any:
        """The models' attribute ``name`` stacked (by ``stack``: as :meth:`stack` stacks it
        unless told), kept from year to year while every model's attribute is the very object
        it was (keyed on the objects' identity: only for what a model binds once and never
        writes into, such as its network's weights, the allies' fixed masks and the budget's
        start terms; a model that binds a new one, say in
        :meth:`AllianceModel.change_params`, is stacked anew)."""
        if len(self.models) == 1:  # a batch of one (new each year in a model's own step())
            current = [getattr(self.models[0], name)]
            return rows(current) if stack is None else stack(current)
        current = list(map(operator.attrgetter(name), self.models))
        kept = self._kept.get(name)
        if (
            kept is not None
            and len(kept[0]) == len(current)  # as many runs, then each the very object
            and all(map(operator.is_, kept[0], current))
        ):
            return kept[1]
        out = rows(current) if stack is None else stack(current)
        self._kept[name] = (current, out)
        return out

    def bound(
        self, key: str, objs: Sequence[Any], names: Sequence[str], dtype: type = float
    ) -> np.ndarray:
        """The attributes ``names`` (two or more, of ``dtype``: floats unless told) of ``objs``
        (one object per run, such as its ``ally_state``) as one array (names, runs, ...), for
        attributes seldom set anew (the allies' per-ally parameters, their flags). Stacking
        them binds each object's attributes to its rows of the array (views of the same
        values), and the array is kept under ``key``:
        while every object's attributes are the very rows they were bound to (keyed on
        identity), the array is what they hold (a write into a row, an
        :class:`~sim.agents.ally.Ally` agent's, is a write into it) and is returned as it is;
        an attribute set anew (an event's) makes it stacked and bound again. Read it; do not
        write into it."""
        get = operator.attrgetter(*names)
        current = [a for o in objs for a in get(o)]
        kept = self._kept.get(key)
        if (
            kept is not None
            and len(kept[0]) == len(current)  # as many runs, then each the very object
            and all(map(operator.is_, kept[0], current))
        ):
            return kept[1]
        r, k = len(objs), len(names)
        values: np.ndarray = np.array(current, dtype=dtype).reshape(r, k, -1)
        bound = [row for per_run in values for row in per_run]  # views, run by run
        for i, o in enumerate(objs):
            for j, name in enumerate(names):
                setattr(o, name, bound[i * k + j])
        self._kept[key] = (bound, values.transpose(1, 0, 2))
        return values.transpose(1, 0, 2)

    def hand_out(self, key: str, arrays: Sequence[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
        """Each run's rows of ``arrays`` (each of them (R, ...): a phase's results), a tuple of
        views per run, for the phase to bind to its models; the arrays and the rows are kept
        under ``key`` for a later phase of the year (:meth:`handed`). Binding a view, not a
        copy, is what makes the arrays stay what the models hold: a write into a model's row
        is a write into them."""
        if len(arrays[0]) == 1:  # a batch of one: indexing its one row costs less
            per_run = [tuple(a[0] for a in arrays)]
        else:  # iterating an array gives its rows at less cost than indexing it
            per_run = list(zip(*arrays, strict=True))
        self._handed[key] = (arrays, per_run)
        return per_run

    def handed(self, key: str, current: Sequence[np.ndarray]) -> Sequence[np.ndarray] | None:
        """The arrays handed out under ``key`` (:meth:`hand_out`) if ``current``, what the
        models hold now (run by run, each run's arrays in the order handed), is still the very
        rows they were given, else None (read them from the models). Keyed on the rows'
        identity: a row is a view of the arrays, so while a model holds it the arrays have the
        model's values, written into or not; a model that binds a new array (a later phase's
        rule, an event) is seen. Read the arrays; do not write into them."""
        kept = self._handed.get(key)
        if kept is None or len(current) != len(kept[0]) * len(kept[1]):
            return None
        given = itertools.chain.from_iterable(kept[1])  # run by run, as ``current``
        return kept[0] if all(map(operator.is_, current, given)) else None

    def column(self, get: Callable[[AllianceModel], Any]) -> np.ndarray:
        """``get(model)`` (a number) for every model, as a column of shape (R, 1)."""
        return np.array([get(m) for m in self.models], dtype=float)[:, None]

    def params(self, section: str) -> Mapping[str, Any]:
        """The parameter table ``section`` (the models' ``p_<section>``) over the batch: a
        float column (R, 1) per number, the shared value of anything else. A batch of one reads
        its model's own table (numbers as floats: the same arithmetic, without NumPy's cost on
        arrays of one)."""
        if len(self.models) == 1:
            return getattr(self.models[0], f"p_{section}")
        return self._on_tables(section, section, lambda ts: _stack_tables(section, ts))

    def numbers(self, section: str, *keys: str) -> dict[str, np.ndarray]:
        """The parameters ``keys`` of ``section``, a float column (R, 1) each, as
        :meth:`params` has them (its kept columns, over a batch of runs); a batch of one (new
        each year in a model's own ``step()``, where stacking whole tables costs more than the
        phase's rules) reads only these, in one call."""
        if len(self.models) == 1:  # one call for every key, each key's column a view of it
            values = self.table(section, *keys)
            return {k: values[:, i : i + 1] for i, k in enumerate(keys)}
        table = self.params(section)
        return {k: table[k] for k in keys}

    def table(self, section: str, *keys: str) -> np.ndarray:
        """The parameters ``keys`` of ``section`` as one float array (R, keys), in one call
        (each run's numbers a tuple: NumPy reads a list of tuples faster than one of lists);
        over a batch of runs kept as :meth:`params` keeps its stacks (read it, do not write
        into it)."""
        get = operator.itemgetter(*keys)

        def values(tables: Iterable[Mapping[str, Any]]) -> np.ndarray:
            out = np.array(list(map(get, tables)), dtype=float)
            return out[:, None] if len(keys) == 1 else out

        if len(self.models) == 1:
            return values([getattr(self.models[0], f"p_{section}")])
        return self._on_tables((section, keys), section, values)

    def _on_tables(self, key: Any, section: str, make: Callable[[list[Any]], T]) -> T:
        """``make(tables)`` of the models' ``p_<section>`` tables, kept under ``key`` from year
        to year while every model's table is the very one it was made of (keyed on the tables'
        identity, the tables held so that their ids stay theirs: a table is read-only, and a
        lever moved mid-run binds a new one, :meth:`AllianceModel.change_params`)."""
        tables = list(map(operator.attrgetter(f"p_{section}"), self.models))
        kept = self._params.get(key)
        if (
            kept is not None
            and len(kept[0]) == len(tables)
            and all(map(operator.is_, kept[0], tables))
        ):
            return kept[1]
        out = make(tables)
        self._params[key] = (tables, out)
        return out


class Terms(MutableMapping[str, np.ndarray]):
    """A run's row ``row`` of a block a phase hands out (runs, keys, ...: its
    :meth:`Batch.hand_out` of the block, one row per run) as a mapping from the block's keys
    (``index``: key to its place on the block's second axis) to the row's arrays: what a dict
    of per-run arrays gives, without making them until read (a key read is a view of the
    block, made then: a write into it is a write into the block, as into a dict's array the
    block was handed out as). A reader of the whole batch reads the block itself while every
    run still holds its row (:meth:`Batch.handed` of the runs' ``row``). Setting or deleting
    a key makes the run's own dict of the row's arrays, and ``row`` None: the run no longer
    holds the block's row (the block is never written into by it)."""

    __slots__ = ("_index", "_own", "row")

    def __init__(self, index: Mapping[str, int], row: np.ndarray) -> None:
        self._index = index
        self.row: np.ndarray | None = row
        self._own: dict[str, np.ndarray] | None = None

    def __getitem__(self, key: str) -> np.ndarray:
        own = self._own
        if own is None:
            return self.row[self._index[key]]  # type: ignore[index]
        return own[key]

    def _owned(self) -> dict[str, np.ndarray]:
        own = self._own
        if own is None:
            row = self.row
            own = self._own = {k: row[i] for k, i in self._index.items()}  # type: ignore[index]
            self.row = None
        return own

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        self._owned()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._owned()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index if self._own is None else self._own)

    def __len__(self) -> int:
        return len(self._index if self._own is None else self._own)

    def __repr__(self) -> str:
        return repr(dict(self))


def rows(values: Sequence[Any]) -> np.ndarray:
    """Per-run arrays (or numbers) as one array whose first axis is the runs': ``np.array`` of
    the list (what ``np.stack`` gives, without its checks in Python, which cost more than a
    phase's arithmetic on arrays of 31); a batch of one's array as a view with a first axis of
    length 1 (a model's own ``step()``: no copy). Read the result; do not write into it."""
    if len(values) == 1:
        v = values[0]
        if isinstance(v, np.ndarray):
            return v[None]
    return np.array(values)


def _stack_tables(section: str, tables: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    tables = list(tables)
    out: dict[str, Any] = {}
    for key, first in tables[0].items():
        values = [t[key] for t in tables]
        if isinstance(first, (int, float)) and not isinstance(first, bool):
            out[key] = np.array(values, dtype=float)[:, None]
        elif all(v == first for v in values[1:]):
            out[key] = first
        else:
            raise ValueError(f"{section}.{key} differs between the runs of a batch")
    return out
