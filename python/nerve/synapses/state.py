"""State access of :class:`~nerve.synapses.Synapses` (``S.w``, ``S.w[...]``,
``S.w = ...``): the group mechanism of ``groups/access.py`` with the names
synapses add (``i``, ``j``, ``x_pre``/``x_post``, ``N_incoming``/``N_outgoing``),
indexing by neuron pairs (``S.w[i, j]``), writes of neuron variables through
the synapses (``S.v_post = ...``) and ``(shared)`` variables (one value for
all synapses, as a scalar delay given to the constructor).
"""

from __future__ import annotations

import numpy as np

from nerve.equations import nodes as n
from nerve.exceptions import InvalidValueError
from nerve.groups.access import StateAccess
from nerve.groups.namespace import Resolver, free_names
from nerve.synapses.pathway import SynapticPathway

__all__ = ["SynapticState"]

#: names of the index arrays and of the per-synapse counts
_INDEX_NAMES = {"i": "_pre", "j": "_post"}
_COUNT_NAMES = ("N_incoming", "N_outgoing")


class SynapticState(StateAccess):
    """Mixin of :class:`~nerve.synapses.Synapses` (see the module docstring)."""
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
        if not (isinstance(key, tuple) and len(key) in (2, 3) and all(
                isinstance(k, (int, np.integer, slice, list, np.ndarray)) and
                not isinstance(k, (bool, np.bool_)) for k in key)):
            return key
        masks = []
        if len(key) == 3:
            # the third index: the synapse's number within its pair
            from nerve.exceptions import InvalidIndexError

            if self._multisynaptic is None:
                raise InvalidIndexError(
                    f"cannot index {self.name} with {key!r}: a third index (the number of "
                    f"the synapse within its pair) needs multisynaptic_index='...' given to "
                    f"Synapses")
            k = key[2]
            number = self._columns[self._multisynaptic]
            if isinstance(k, slice):
                start, stop, step = k.indices(int(number.max()) + 1 if len(number) else 0)
                masks.append(np.isin(number, np.arange(start, stop, step)))
            else:
                masks.append(np.isin(number, np.atleast_1d(np.asarray(k))))
            key = key[:2]
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
        return np.flatnonzero(np.logical_and.reduce(masks))

    def _read(self, name: str, key, raw: bool, namespace):
        if name in self._shared:
            from nerve.groups.access import _typed

            value = np.float64(self._shared_values.get(name, 0.0))
            value = _typed(value, self._variable_dtype(name), self._variable_dim(name), raw)
            # a plain number when it has no units (shown as Brian2 shows it: 3.0)
            return value.item() if isinstance(value, np.generic) else value
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
        if name in self._shared:
            self._write_shared(name, key, value, raw, namespace)
            return
        key = self._synapse_key(key)
        if self._kind(name) == "neuron":
            self._write_neurons(name, key, value, raw, namespace)
            return
        if self._kind(name) in ("index", "neuron subexpression"):
            from nerve.exceptions import ReadOnlyVariableError

            raise ReadOnlyVariableError(
                f"cannot assign to {self._what(name)}: it is read-only for Synapses "
                f"({'a neuron index' if self._kind(name) == 'index' else 'a subexpression'})")
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

    def _write_neurons(self, name: str, key, value, raw: bool, namespace) -> None:
        """``S.v_post = ...``: each selected synapse writes its neuron's
        variable, in synapse order (the last synapse onto a neuron wins), as
        Brian2 does."""
        from nerve.groups.access import _typed

        side, var = self._neuron_variable(name)
        index = self._index(name, key, namespace)
        chosen = np.arange(self.N) if index is None else np.atleast_1d(np.arange(self.N)[index])
        if isinstance(value, str):
            from nerve.equations import parse_expression

            from nerve.equations import check_expression

            where = f"the value of {self._what(name)}"
            expr = parse_expression(value, where=where)
            resolver = self._resolver(namespace, f"Synapses {self.name!r}")[0]
            check_expression(expr, resolver.reading(value, where).dimension,
                             side.root._dims[var], source=value, where=where,
                             booleans=self._booleans())
            values = self._compute(expr, namespace, where)
            values = np.broadcast_to(values, (self.N,))[chosen]
        else:
            values = self._stored_values(name, value, raw, key)
            if values.ndim > 1 or values.size not in (1, len(chosen)):
                raise InvalidValueError(
                    f"cannot set {self._what(name)} from an array of shape {values.shape}: "
                    f"give a scalar or {len(chosen)} values (one per synapse)")
            values = np.broadcast_to(values.reshape(-1), (len(chosen),))
        neurons = (self._pre if side is self._pre_side and name.endswith("_pre")
                   else self._post)[chosen].astype(np.int64) + side.start
        # the last synapse onto each neuron wins
        last = len(neurons) - 1 - np.unique(neurons[::-1], return_index=True)[1]
        values = _typed(values[last], side.root._dtypes[var], None, True)
        side.root._columns[var][neurons[last]] = values

    def _write_shared(self, name: str, key, value, raw: bool, namespace) -> None:
        """A ``(shared)`` variable (or a delay given to the constructor): one
        value for every synapse, set as a whole, from a scalar or an
        expression of scalars."""
        from nerve.exceptions import InvalidIndexError

        from nerve.groups.indexing import ALL

        if not (key is ALL or key == slice(None)):
            raise InvalidIndexError(
                f"cannot set {self._what(name)}[{key!r}]: it is a (shared) variable, one value "
                f"for all synapses; set it as a whole ({self._what(name)} = ...)")
        if isinstance(value, str):
            value = self._shared_expression(name, value, namespace)
        else:
            array = self._stored_values(name, value, raw, key)
            if array.size != 1:
                raise InvalidValueError(
                    f"cannot set {self._what(name)} to {value!r}: it is a (shared) variable, "
                    f"one value for all synapses")
            value = float(array.reshape(()))
        if name in self._delay_columns.values() and value < 0:
            raise InvalidValueError(
                f"cannot set {self._what(name)} to {value!r} s: delays must not be negative")
        self._shared_values[name] = value
        self._columns[name][:] = value

    def _shared_expression(self, name: str, text: str, namespace) -> float:
        from nerve.equations import parse_expression
        from nerve.exceptions import EquationSyntaxError
        from nerve.synapses.lanes import evaluate

        expr = parse_expression(text, where=f"the value of {self._what(name)}")
        arrays, dims = {}, {}
        for used in free_names(expr):
            if used in self._shared:
                arrays[used] = np.array([self._shared_values.get(used, 0.0)])
                dims[used] = self._dims[used]
            elif self._kind(used) is not None:
                raise EquationSyntaxError(
                    f"cannot set the (shared) variable {self._what(name)} to {text!r}: it reads "
                    f"'{used}', which has a value per synapse (or neuron); a shared variable "
                    f"takes one value", text=text)
        value = evaluate(expr, arrays, dims, 1, namespace, f"Synapses {self.name!r}",
                         self._rng.get(), self.clock, source=text,
                         where=f"the value of {self._what(name)}", expected=self._dims[name])
        return float(value[0])

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
            return self._incoming()[self._post].astype(np.float64)
        if name == "N_outgoing":
            return self._outgoing()[self._pre].astype(np.float64)
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
        """The engine columns of the synapses: their variables (slots
        ``_slots``), then ``N_incoming`` and ``N_outgoing`` per synapse (slots
        ``_count_slots()``, read by code run during the simulation)."""
        return list(self._columns.values()) + self._count_columns()

    def _count_columns(self) -> list:
        """``N_incoming`` and ``N_outgoing`` per synapse, computed once per
        connectivity when code run during the simulation reads them (see
        ``_counts_read``). Until then two zero columns hold their slots: made
        by ``calloc``, they cost no time and no memory (their pages are never
        touched), where the counts cost a gather per synapse (a second at
        32 million synapses, on a script's first ``run()``); they are kept
        for the next runs (small ones come from the heap, zeroed)."""
        key = (self._connectivity, self.N)
        cached = self.__dict__.get("_count_columns_cache")
        if cached is not None and cached[0] == key:
            return list(cached[1])
        if not self.__dict__.get("_reads_counts"):
            held = self.__dict__.get("_count_placeholders")
            if held is None or len(held[0]) != self.N:
                held = [np.zeros(self.N) for _ in _COUNT_NAMES]
                self.__dict__["_count_placeholders"] = held
            return list(held)
        arrays = [np.ascontiguousarray(self._lane_values(name_)) for name_ in _COUNT_NAMES]
        self.__dict__["_count_columns_cache"] = (key, arrays)
        return list(arrays)

    def _counts_read(self) -> None:
        """Code compiled for the simulation reads ``N_incoming`` or
        ``N_outgoing``: from now on the count columns hold the counts, also
        in the columns already handed to the current run."""
        if self.__dict__.get("_reads_counts"):
            return
        self.__dict__["_reads_counts"] = True
        columns = self.__dict__.get("_run_columns")
        if columns is not None:
            first = len(self._columns)
            columns[first:first + len(_COUNT_NAMES)] = self._count_columns()

    def _count_slots(self) -> dict:
        """``{'N_incoming': slot, 'N_outgoing': slot}`` in ``_column_list()``."""
        return {name_: len(self._columns) + k for k, name_ in enumerate(_COUNT_NAMES)}

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
        lowered = lower((statement,), columns=slots, constants=constants,
                        functions=resolver.functions((statement,)), dt=self.clock.dt_)
        program = _core.Program(encode(lowered), list(lowered.tables))
        clock = self.clock
        _core.execute(program, columns, self.N, self._rng.get(), clock.t_, clock.dt_,
                      clock.timestep)
