"""Synapses: connections between two groups of neurons, with their own
variables and the code that runs when a spike arrives.

Data layout (see ``docs/architecture.md``): the synaptic variables are
float64 columns with one value per synapse, registered in a run as a group
of the engine (so monitors, string assignments and clock-driven updates
treat synapses as lanes); the connectivity is two int32 arrays, ``S.i`` and
``S.j``, relative to the source and target (sub)groups. Synapses are
numbered in creation order; ``connect()`` appends.

Names in the model and in ``on_pre``/``on_post`` resolve as in Brian2: a
synaptic variable first, then ``x_pre`` / ``x_post`` for a variable of the
presynaptic / postsynaptic group, then an unsuffixed variable of the
postsynaptic group (``v += w`` is ``v_post += w``), ``i``/``j`` for the
indices, then external constants.
"""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.core.seeding import RandomSource
from nerve.equations import nodes as n
from nerve.exceptions import InvalidValueError, ModelDefinitionError, NotSupportedError
from nerve.groups.access import StateAccess
from nerve.groups.namespace import Resolver, free_names
from nerve.groups.neurongroup import NeuronGroup, _aligned_zeros
from nerve.synapses.code import Side, SynapticCode
from nerve.synapses.pathway import SynapticPathway

__all__ = ["Synapses"]

#: names of the index arrays and of the per-synapse counts
_INDEX_NAMES = {"i": "_pre", "j": "_post"}
_COUNT_NAMES = ("N_incoming", "N_outgoing")


def _side(group, what: str) -> Side:
    from nerve.groups.subgroup import Subgroup

    if isinstance(group, NeuronGroup):
        return Side(group, 0, group.N)
    if isinstance(group, Subgroup):
        return Side(group.source, int(group.start), int(group.stop - group.start))
    raise ModelDefinitionError(
        f"the {what} of Synapses must be a NeuronGroup or a part of one (G[a:b]), "
        f"got {group!r}")


class Synapses(SynapticCode, StateAccess, NerveObject):
    """Synapses from ``source`` to ``target`` (default: ``source``).

    ``model``: equations of the synaptic variables (parameters, ``(clock-
    driven)``/``(event-driven)`` differential equations, ``(summed)``
    subexpressions); ``on_pre``/``on_post``: statements run when a spike of
    the presynaptic / postsynaptic neuron arrives at a synapse; ``delay``:
    the delay of ``on_pre`` (a time; ``S.delay`` sets it per synapse).
    Synapses are created by :meth:`connect`.
    """

    default_when = "groups"

    def __init__(self, source, target=None, model=None, on_pre=None, on_post=None,
                 delay=None, on_event="spike", multisynaptic_index=None, namespace=None,
                 dtype=None, method=None, method_options=None, dt=None, clock=None,
                 order=0, name=None):
        from nerve.equations import Equations, parse_statements

        object.__setattr__(self, "_columns", {})
        super().__init__(name=name, dt=dt, clock=clock, order=order)
        if target is None:
            target = source
        self.source, self.target = source, target
        self._pre_side = _side(source, "source")
        self._post_side = _side(target, "target")
        if on_event != "spike":
            raise NotSupportedError(f"Synapses: on_event={on_event!r} is not supported yet "
                                    f"(only spikes trigger pathways)")
        if multisynaptic_index is not None and (
                not isinstance(multisynaptic_index, str)
                or not multisynaptic_index.isidentifier()):
            raise ModelDefinitionError(
                f"Synapses: multisynaptic_index must be a variable name, got "
                f"{multisynaptic_index!r}")
        #: the integer variable numbering the synapses of each pair (or None)
        self._multisynaptic = multisynaptic_index
        if isinstance(model, Equations):
            self.equations = model
        else:
            self.equations = Equations(model if model is not None else "")
        self.namespace = namespace
        self.method = method
        self.method_options = method_options
        self.method_chosen = None
        self._rng = RandomSource()
        #: pathway name -> (role, text, statements); role "pre" or "post"
        self._statements = {}
        for role, code in (("pre", on_pre), ("post", on_post)):
            if code is None:
                continue
            named = code if isinstance(code, dict) else {role: code}
            for key, text in named.items():
                if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
                    raise ModelDefinitionError(
                        f"Synapses: a pathway name must be an identifier, got {key!r}")
                if not isinstance(text, str):
                    raise ModelDefinitionError(
                        f"Synapses: on_{role} must be a string of statements or a dict of "
                        f"them, got {text!r}")
                if key in self._statements:
                    raise ModelDefinitionError(
                        f"Synapses: two pathways are named {key!r}")
                root = (self._pre_side if role == "pre" else self._post_side).root
                if root._threshold is None:
                    raise ModelDefinitionError(
                        f"Synapses: on_{role} runs on the spikes of {root.name!r}, which has "
                        f"no threshold (so it never spikes); give {root.name!r} a threshold")
                where = f"on_{role}" if key == role else f"on_{role}[{key!r}]"
                self._statements[key] = (role, text, parse_statements(text, where=where))
        self.on_pre, self.on_post = on_pre, on_post
        self._classify_equations()

        from nerve.units import get_dimensions, second

        dims, dtypes = {}, {}
        for name_, eq in self.equations.items():
            if eq.kind != "subexpression":
                dims[name_] = eq.dim
                dtypes[name_] = eq.dtype
        delays = delay if isinstance(delay, dict) else (
            {} if delay is None else {"pre": delay})
        unknown = set(delays) - set(self._statements) - {"pre"}
        if unknown:
            raise ModelDefinitionError(
                f"Synapses: a delay is given for the pathway {sorted(unknown)[0]!r}, but the "
                f"pathways are {sorted(self._statements)}")
        #: pathway name -> its delay column ('delay' for the 'pre' pathway)
        self._delay_columns = {}
        for key, (role, _, _) in self._statements.items():
            if role == "pre" or key in delays:
                self._delay_columns[key] = "delay" if key == "pre" else f"_delay_{key}"
        if "pre" in delays:
            self._delay_columns.setdefault("pre", "delay")
        for column in self._delay_columns.values():
            dims[column], dtypes[column] = get_dimensions(second), "float"
        if self._event_driven:
            dims["lastupdate"], dtypes["lastupdate"] = get_dimensions(second), "float"
        if self._multisynaptic is not None:
            if self._multisynaptic in dims:
                raise ModelDefinitionError(
                    f"Synapses: multisynaptic_index {self._multisynaptic!r} is also a "
                    f"variable of the model; choose another name")
            dims[self._multisynaptic] = get_dimensions(1)
            dtypes[self._multisynaptic] = "integer"
        #: the initial value of each delay column for new synapses
        self._delay0 = {}
        for key, value in delays.items():
            if get_dimensions(value) is not get_dimensions(second) or np.ndim(value) != 0:
                raise ModelDefinitionError(
                    f"Synapses: a delay must be a single time (e.g. 2*ms), got {value!r}; set "
                    f"delays per synapse after connect() with S.delay = ...")
            if float(np.asarray(value)) < 0:
                raise InvalidValueError(f"Synapses: the delay must not be negative, got {value!r}")
            self._delay0[self._delay_columns[key]] = float(np.asarray(value))
        self._dims, self._dtypes = dims, dtypes
        object.__setattr__(self, "_columns", {k: _aligned_zeros(0) for k in dims})
        self._slots = {k: s for s, k in enumerate(dims)}
        self._pre = np.zeros(0, dtype=np.int32)
        self._post = np.zeros(0, dtype=np.int32)
        self._connected = False
        subexprs = {k: eq.expr for k, eq in self.equations.items()
                    if eq.kind == "subexpression" and "summed" not in eq.flags}
        self._subexpressions = frozenset(subexprs)
        self._expanded_subexprs = NeuronGroup._expanded(subexprs)
        self._queues = {}
        #: a new value whenever the synapses change (connect, restore); the
        #: queues' rows are rebuilt when it differs from theirs
        self._connectivity = 0
        self._queue_rows = {}
        self._locked = True

    # -- connectivity ---------------------------------------------------------

    @property
    def N(self) -> int:
        """The number of synapses."""
        return len(self._pre)

    def __len__(self) -> int:
        return len(self._pre)

    def connect(self, condition=None, i=None, j=None, p=1.0, n=1, skip_if_invalid=False,
                namespace=None, level=0):
        """Create synapses (appended to those that exist).

        ``i``/``j``: explicit indices (scalars or arrays, broadcast);
        ``j='k for k in range(a, b) if cond'``: targets generated per source
        neuron ``i``; ``j='expression of i'``: one target per source;
        ``condition``: a string over ``i``, ``j`` and ``x_pre``/``x_post``;
        ``p``: the probability of each candidate (a number or an
        expression); ``n``: synapses per pair.
        """
        from nerve.synapses.connect import connect_pairs

        if namespace is None:
            namespace = self.namespace
        if namespace is None:
            from nerve.core.magic import caller_namespace

            namespace = caller_namespace(level + 2)
        pre, post = connect_pairs(self, condition, i, j, p, n, skip_if_invalid, namespace)
        self._append(pre, post)

    def _append(self, pre: np.ndarray, post: np.ndarray) -> None:
        from nerve.core.network import run_lock

        with run_lock:
            if self.__dict__.get("_in_run"):
                from nerve.exceptions import SimulationError

                raise SimulationError(
                    f"cannot connect() Synapses {self.name!r} during a run (e.g. from a "
                    f"network_operation): create the synapses before run() or between runs")
            old, new = len(self._pre), len(self._pre) + len(pre)
            columns = {}
            for name_, column in self._columns.items():
                grown = _aligned_zeros(new)
                grown[:old] = column
                columns[name_] = grown
            for column, value in self._delay0.items():
                columns[column][old:] = value
            object.__setattr__(self, "_columns", columns)
            fresh = (old == 0 and pre.dtype == post.dtype == np.int32
                     and pre.flags.c_contiguous and post.flags.c_contiguous)
            if fresh:  # the first connect(): keep connect's new arrays (no copy)
                self._pre, self._post = pre, post
            else:
                self._pre = np.concatenate([self._pre, pre]).astype(np.int32, copy=False)
                self._post = np.concatenate([self._post, post]).astype(np.int32, copy=False)
            self._connectivity += 1
            if self._multisynaptic is not None:
                columns[self._multisynaptic][:] = self._pair_numbers()
            self._connected = True

    def _pair_numbers(self) -> np.ndarray:
        """For each synapse, how many synapses of the same (i, j) pair come
        before it (``multisynaptic_index``)."""
        pair = self._pre.astype(np.int64) * self._post_side.n + self._post
        order = np.argsort(pair, kind="stable")
        sorted_pairs = pair[order]
        starts = np.flatnonzero(np.r_[True, sorted_pairs[1:] != sorted_pairs[:-1]])
        group_start = np.repeat(starts, np.diff(np.r_[starts, len(pair)]))
        numbers = np.empty(len(pair))
        numbers[order] = np.arange(len(pair)) - group_start
        return numbers

    @property
    def N_incoming_post(self) -> np.ndarray:
        """The number of synapses onto each neuron of the target."""
        return np.bincount(self._post, minlength=self._post_side.n).astype(np.int32)

    @property
    def N_outgoing_pre(self) -> np.ndarray:
        """The number of synapses from each neuron of the source."""
        return np.bincount(self._pre, minlength=self._pre_side.n).astype(np.int32)

    # -- state access (groups/access.py, with synapse-specific names) -------------

    @property
    def _state_root(self) -> "Synapses":
        return self

    _state_start = 0

    @property
    def _state_stop(self) -> int:
        return self.N

    def _neuron_variable(self, name: str):
        """``(side, variable)`` for ``x_pre``, ``x_post`` or an unsuffixed
        postsynaptic variable, else None."""
        if name in self._columns or name in self._subexpressions:
            return None
        for suffix, side in (("_pre", self._pre_side), ("_post", self._post_side)):
            if name.endswith(suffix) and name[:-len(suffix)] in side.root._columns:
                return side, name[:-len(suffix)]
        if name in self._post_side.root._columns and name not in ("i", "j", "N"):
            return self._post_side, name
        return None

    def _kind(self, name: str):
        if name in self._columns:
            return "column"
        if name in self._subexpressions:
            return "subexpression"
        if name in _INDEX_NAMES or name in _COUNT_NAMES:
            return "index"
        if self._neuron_variable(name) is not None:
            return "neuron"
        if self._neuron_subexpression(name) is not None:
            return "neuron subexpression"
        return None

    def _variable_dim(self, name: str):
        found = self._neuron_variable(name) if name not in self._dims else None
        if found is not None:
            side, var = found
            return side.root._dims[var]
        sub = self._neuron_subexpression(name) if name not in self._dims else None
        if sub is not None:
            return sub[0].root.equations[sub[1]].dim
        return super()._variable_dim(name)

    def _variable_dtype(self, name: str) -> str:
        found = self._neuron_variable(name) if name not in self._dtypes else None
        if found is not None:
            side, var = found
            return side.root._dtypes[var]
        sub = self._neuron_subexpression(name) if name not in self._dtypes else None
        if sub is not None:
            return sub[0].root.equations[sub[1]].dtype
        return super()._variable_dtype(name)

    def _synapse_key(self, key):
        """``S.w[i, j]`` (each an int, a slice or an array): the synapses from
        the selected presynaptic to the selected postsynaptic neurons, as an
        index array (as Brian2, neurons without such synapses select none);
        other keys unchanged."""
        if not (isinstance(key, tuple) and len(key) == 2 and all(
                isinstance(k, (int, np.integer, slice, list, np.ndarray)) and
                not isinstance(k, (bool, np.bool_)) for k in key)):
            return key
        masks = []
        for k, index, n_side in ((key[0], self._pre, self._pre_side.n),
                                 (key[1], self._post, self._post_side.n)):
            if isinstance(k, slice):
                start, stop, step = k.indices(n_side)
                chosen = np.arange(start, stop, step)
            else:
                chosen = np.atleast_1d(np.asarray(k))
                if chosen.size and not np.issubdtype(chosen.dtype, np.integer):
                    from nerve.exceptions import IndexTypeError

                    raise IndexTypeError(
                        f"cannot index {self.name} with {key!r}: S.var[i, j] takes neuron "
                        f"indices (integers, slices or integer arrays)")
            masks.append(np.isin(index, chosen))
        return np.flatnonzero(masks[0] & masks[1])

    def _read(self, name: str, key, raw: bool, namespace):
        key = self._synapse_key(key)
        kind = self._kind(name)
        if kind in ("index", "neuron") and not isinstance(key, tuple):
            values = self._lane_values(name)
            index = self._index(name, key, namespace)
            if kind == "index":
                values = values.astype(np.int32)
                return values if index is None else values[index]
            from nerve.groups.access import _typed

            values = values if index is None else values[index]
            return _typed(values, self._variable_dtype(name), self._variable_dim(name), raw)
        if kind == "neuron subexpression" and not isinstance(key, tuple):
            values = self._compute(n.Name(name), namespace, f"{self._what(name)}")
            index = self._index(name, key, namespace)
            from nerve.groups.access import _typed

            values = values if index is None else values[index]
            return _typed(values, self._variable_dtype(name), self._variable_dim(name), raw)
        return super()._read(name, key, raw, namespace)

    def _write(self, name: str, key, value, raw: bool, namespace) -> None:
        self._check_connected(name)
        key = self._synapse_key(key)
        if self._kind(name) in ("index", "neuron", "neuron subexpression"):
            from nerve.exceptions import ReadOnlyVariableError

            raise ReadOnlyVariableError(
                f"cannot assign to {self._what(name)}: it is read-only for Synapses "
                f"({'a neuron index' if self._kind(name) == 'index' else 'a variable of a neuron'}"
                f"; set it on the neuron group instead)")
        is_delay = name in self._delay_columns.values()
        if is_delay and not isinstance(value, str) and np.any(
                np.asarray(value, dtype=float) < 0):
            raise InvalidValueError(
                f"cannot set {self._what(name)} to {value!r}: delays must not be negative")
        if is_delay and isinstance(value, str):
            before = self._columns[name].copy()
            super()._write(name, key, value, raw, namespace)
            negative = self._columns[name] < 0
            if negative.any():
                bad = float(self._columns[name][negative][0])
                self._columns[name][:] = before
                raise InvalidValueError(
                    f"cannot set {self._what(name)} to {value!r}: it gives a negative delay "
                    f"({bad:g} s) for synapse {int(np.flatnonzero(negative)[0])}; the delays "
                    f"are unchanged")
            return
        super()._write(name, key, value, raw, namespace)

    def __getattr__(self, name):
        statements = self.__dict__.get("_statements", {})
        if name in statements and name not in self.__dict__.get("_columns", {}):
            return SynapticPathway(self, name)
        return super().__getattr__(name)

    def _what(self, name: str) -> str:
        for key, column in self.__dict__.get("_delay_columns", {}).items():
            if column == name and key != "pre":
                return f"{self.name}.{key}.delay"
        return super()._what(name)

    def _check_connected(self, name: str) -> None:
        if not self._connected:
            from nerve.exceptions import NotConnectedError

            raise NotConnectedError(
                f"cannot use {self._what(name)} before the synapses are created: call "
                f"{self.name}.connect(...) first")

    def _lane_values(self, name: str) -> np.ndarray:
        """float64 values of a non-column name for each synapse."""
        if name == "i":
            return self._pre.astype(np.float64)
        if name == "j":
            return self._post.astype(np.float64)
        if name == "N_incoming":
            return self.N_incoming_post[self._post].astype(np.float64)
        if name == "N_outgoing":
            return self.N_outgoing_pre[self._pre].astype(np.float64)
        side, var = self._neuron_variable(name)
        index = self._pre if side is self._pre_side else self._post
        return side.root._columns[var][side.start + index]

    def _neuron_arrays(self, expr, pre, post, arrays: dict, dims: dict) -> None:
        """Add to ``arrays``/``dims`` the neuron variables ``expr`` reads, for
        candidate pairs ``pre``/``post`` (post None: not available)."""
        for name_ in free_names(expr):
            if name_ in arrays:
                continue
            found = self._neuron_variable(name_)
            if found is None:
                continue
            side, var = found
            index = pre if side is self._pre_side else post
            if index is None:
                continue
            arrays[name_] = side.root._columns[var][side.start + np.asarray(index, np.int64)]
            dims[name_] = side.root._dims[var]

    def _resolver(self, namespace, owner: str):
        dims = dict(self._dims)
        for name_ in self._subexpressions:
            dims[name_] = self.equations[name_].dim
        from nerve.units import DIMENSIONLESS

        for name_ in (*_INDEX_NAMES, *_COUNT_NAMES):
            dims.setdefault(name_, DIMENSIONLESS)
        for side, suffix in ((self._pre_side, "_pre"), (self._post_side, "_post")):
            for var, dim in side.root._dims.items():
                dims.setdefault(var + suffix, dim)
        for var, dim in self._post_side.root._dims.items():
            dims.setdefault(var, dim)
        for side, suffix in ((self._pre_side, "_pre"), (self._post_side, "_post")):
            for var in side.root._subexpressions:
                dims.setdefault(var + suffix, side.root.equations[var].dim)
        for var in self._post_side.root._subexpressions:
            dims.setdefault(var, self._post_side.root.equations[var].dim)
        return Resolver(dims, namespace, owner=owner), self._expanded_subexprs

    def _expanded_subexpressions(self) -> dict:
        return self._expanded_subexprs

    def _booleans(self) -> tuple[str, ...]:
        return tuple(k for k, dtype in self._dtypes.items() if dtype == "boolean")

    def _column_list(self) -> list:
        return list(self._columns.values())

    def _execute(self, statement: n.Assign, namespace, where: str, *, scratch=None) -> None:
        """Run one statement over the synapses on the engine; indices and
        neuron variables it reads are gathered per synapse first."""
        from nerve import _core
        from nerve.ir.encode import encode
        from nerve.ir.lower import lower

        statement = self._expand_neuron_subexpressions(statement)
        slots = dict(self._slots)
        columns = list(self._columns.values())
        used = [u for u in free_names(statement) if u not in slots]
        for name_ in used:
            if self._kind(name_) in ("index", "neuron"):
                slots[name_] = len(columns)
                columns.append(np.ascontiguousarray(self._lane_values(name_)))
        if scratch is not None:
            slots["_nerve_value"] = len(columns)
            columns.append(scratch)
        resolver = self._resolver(namespace if namespace is not None else {}, where)[0]
        constants = resolver.constants([u for u in free_names(statement) if u not in slots])
        program = _core.Program(encode(lower((statement,), columns=slots,
                                             constants=constants)))
        clock = self.clock
        _core.execute(program, columns, self.N, self._rng.get(), clock.t_, clock.dt_,
                      clock.timestep)

    # -- store / restore ------------------------------------------------------

    def _snapshot(self):
        from nerve.core.seeding import _state

        return ({k: c.copy() for k, c in self._columns.items()}, self._pre.copy(),
                self._post.copy(), {k: q.copy() for k, q in self._queues.items()},
                self._rng.get().copy(), _state["epoch"], self._connected)

    def _restore(self, snapshot) -> None:
        columns, pre, post, queues, rng, epoch, connected = snapshot
        object.__setattr__(self, "_columns", {k: c.copy() for k, c in columns.items()})
        self._pre, self._post = pre.copy(), post.copy()
        self._queues = {k: q.copy() for k, q in queues.items()}
        self._connectivity += 1
        self._rng.set(rng.copy(), epoch)
        self._connected = connected

    def __repr__(self) -> str:
        return (f"<Synapses {self.name!r} from {self.source.name!r} to {self.target.name!r}: "
                f"{self.N} synapses>")

