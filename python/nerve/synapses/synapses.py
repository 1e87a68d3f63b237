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
from nerve.exceptions import InvalidValueError, ModelDefinitionError
from nerve.groups.neurongroup import NeuronGroup, _aligned_zeros
from nerve.synapses.code import Side, SynapticCode
from nerve.synapses.hostcalls import SynapticHostCalls
from nerve.synapses.recording import SynapticRecording
from nerve.synapses.state import SynapticState

__all__ = ["Synapses"]

def _side(group, what: str) -> Side:
    from nerve.groups.subgroup import Subgroup

    if isinstance(group, NeuronGroup):
        return Side(group, 0, group.N)
    if isinstance(group, Subgroup):
        return Side(group.source, int(group.start), int(group.stop - group.start))
    if isinstance(group, Synapses):
        # its synapses are the "neurons" of this side, however many it has
        return Side(group, 0, None)
    raise ModelDefinitionError(
        f"the {what} of Synapses must be a NeuronGroup, a part of one (G[a:b]) or "
        f"another Synapses, got {group!r}")


class Synapses(SynapticHostCalls, SynapticRecording, SynapticCode, SynapticState, NerveObject):
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
        if not isinstance(on_event, (str, dict)) or (isinstance(on_event, dict) and not all(
                isinstance(v, str) for v in on_event.values())):
            raise ModelDefinitionError(
                f"Synapses: on_event must be the name of an event ('spike' or a custom event "
                f"of the group) or a dict of them by pathway, got {on_event!r}")
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
        #: pathway name -> the event of the source/target that triggers it
        self._events = {}
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
                what_side = {"pre": "source", "post": "target"}
                event = (on_event.get(key, "spike") if isinstance(on_event, dict)
                         else on_event)
                if isinstance(root, Synapses):
                    raise ModelDefinitionError(
                        f"Synapses: on_{role} runs on events of {root.name!r}, but it is a "
                        f"Synapses object, which has no events (as the {what_side[role]} of "
                        f"other synapses it serves summed variables and equations)")
                if event == "spike" and root._threshold is None:
                    raise ModelDefinitionError(
                        f"Synapses: on_{role} runs on the spikes of {root.name!r}, which has "
                        f"no threshold (so it never spikes); give {root.name!r} a threshold")
                root._event_index(event)  # refuses an event the group does not have
                self._events[key] = event
                where = f"on_{role}" if key == role else f"on_{role}[{key!r}]"
                self._statements[key] = (role, text, parse_statements(text, where=where))
        if isinstance(on_event, dict) and set(on_event) - set(self._statements):
            raise ModelDefinitionError(
                f"Synapses: on_event names the pathway "
                f"{sorted(set(on_event) - set(self._statements))[0]!r}, but the pathways are "
                f"{sorted(self._statements)}")
        self.on_pre, self.on_post, self.on_event = on_pre, on_post, on_event
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
        #: (shared) variables: one value for all synapses (parameters flagged
        #: shared, delays given here), kept in ``_shared_values`` and in their
        #: column (every synapse, new ones too, gets the value)
        self._shared = {name_ for name_, eq in self.equations.items()
                        if "shared" in eq.flags and eq.kind == "parameter"}
        self._shared_values = {name_: 0.0 for name_ in self._shared}
        for key, value in delays.items():
            if get_dimensions(value) is not get_dimensions(second) or np.ndim(value) != 0:
                raise ModelDefinitionError(
                    f"Synapses: a delay must be a single time (e.g. 2*ms), got {value!r}; set "
                    f"delays per synapse after connect() with S.delay = ...")
            if float(np.asarray(value)) < 0:
                raise InvalidValueError(f"Synapses: the delay must not be negative, got {value!r}")
            self._shared.add(self._delay_columns[key])
            self._shared_values[self._delay_columns[key]] = float(np.asarray(value))
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
        self._check_driven_dependencies()
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
            for column, value in self._shared_values.items():
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

    def _incoming(self) -> np.ndarray:
        """The number of synapses onto each neuron of the target (sub)group."""
        return np.bincount(self._post, minlength=self._post_side.n).astype(np.int32)

    def _outgoing(self) -> np.ndarray:
        """The number of synapses from each neuron of the source (sub)group."""
        return np.bincount(self._pre, minlength=self._pre_side.n).astype(np.int32)

    @property
    def N_incoming_post(self) -> np.ndarray:
        """The number of synapses onto each target neuron. As Brian2's, indexed
        by the neuron's index in the whole group: for a target ``G[a:b]``, ``b``
        values of which the first ``a`` are 0."""
        return np.r_[np.zeros(self._post_side.start, np.int32), self._incoming()]

    @property
    def N_outgoing_pre(self) -> np.ndarray:
        """The number of synapses from each source neuron (indexed as
        ``N_incoming_post``)."""
        return np.r_[np.zeros(self._pre_side.start, np.int32), self._outgoing()]

    def __getitem__(self, key) -> np.ndarray:
        """``S[i, j]``, ``S['i > j']``, ``S[k]``...: the indices of the synapses
        selected as ``S.w[...]`` would select them (e.g. for
        ``StateMonitor(S, 'w', record=S[0, :])``)."""
        return self._selected(key, 3)

    @property
    def indices(self) -> "SynapseIndices":
        """``S.indices[...]``: the synapse indices ``S[...]`` gives, as Brian2's
        (``S.w[S.indices[:, 0:2]] = 2``)."""
        return SynapseIndices(self)

    def _selected(self, key, depth: int) -> np.ndarray:
        """The synapse indices ``key`` selects; a string key reads names from
        the frame ``depth`` levels above this method."""
        from nerve.groups.indexing import ALL

        namespace = self.namespace
        if isinstance(key, str) and namespace is None:
            from nerve.core.magic import caller_namespace

            namespace = caller_namespace(depth)
        index = self._index("i", self._synapse_key(key), namespace)
        chosen = np.arange(self.N, dtype=np.int32)
        return chosen if index is None or key is ALL else chosen[index]

    # -- store / restore ------------------------------------------------------

    def _snapshot(self):
        return ({k: c.copy() for k, c in self._columns.items()}, self._pre.copy(),
                self._post.copy(), {k: q.copy() for k, q in self._queues.items()},
                *self._rng.snapshot(), self._connected,
                dict(self._shared_values))

    def _restore(self, snapshot) -> None:
        columns, pre, post, queues, rng, epoch, connected, shared = snapshot
        self._shared_values = dict(shared)
        object.__setattr__(self, "_columns", {k: c.copy() for k, c in columns.items()})
        self._pre, self._post = pre.copy(), post.copy()
        self._queues = {k: q.copy() for k, q in queues.items()}
        self._connectivity += 1
        self._rng.set(rng.copy(), epoch)
        self._connected = connected

    def __repr__(self) -> str:
        return (f"<Synapses {self.name!r} from {self.source.name!r} to {self.target.name!r}: "
                f"{self.N} synapses>")



class SynapseIndices:
    """``S.indices``: indexing it gives the indices of the synapses selected
    as ``S[...]`` selects them."""

    def __init__(self, synapses) -> None:
        self._synapses = synapses

    def __getitem__(self, key) -> np.ndarray:
        return self._synapses._selected(key, 3)

    def __repr__(self) -> str:
        return f"<indices of the synapses of {self._synapses.name!r}>"
