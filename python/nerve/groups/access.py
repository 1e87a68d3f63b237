"""State access of a group: ``G.v``, ``G.v[...]``, ``G.v = ...``, ``G.I_syn``.

:class:`StateAccess` is shared by :class:`~nerve.groups.NeuronGroup` and
:class:`~nerve.groups.subgroup.Subgroup`. An owner covers the neurons
``[_state_start, _state_stop)`` of its root group ``_state_root`` (a
NeuronGroup: the whole range; a subgroup: a part of it), and everything it
reads or writes is that range of the root's columns.

String expressions and conditions are evaluated by the engine over the
owner's neurons only: the program runs on views of the root's columns cut to
the range, so ``i`` is the index within the owner and ``N`` its size (as in
Brian2's subgroups). A value that is not stored (a condition, a
subexpression, a value for some of the neurons) is computed into a scratch
column; no Python loop runs per neuron.

Assignments cast as Brian2 does: an integer variable keeps the value
truncated toward zero (2.7 -> 2, -2.7 -> -2), a boolean variable is true
for any non-zero value.
"""

from __future__ import annotations

import numpy as np

from nerve.equations import nodes as n
from nerve.exceptions import (DimensionMismatchError, InvalidIndexError, InvalidValueError,
                              ReadOnlyVariableError)
from nerve.groups.indexing import ALL, key_text, normalize_index, selected_count
from nerve.groups import compiled
from nerve.groups.namespace import called_names, free_names, substitute
from nerve.groups.variables import VariableView

__all__ = ["StateAccess"]

#: the scratch column a computed value goes to (not a valid model name)
_SCRATCH = "_nerve_value"


def _cast(expr, dtype: str):
    """``expr`` as stored in a variable of ``dtype`` (see the module doc)."""
    if dtype == "integer":
        return n.Call("int", (expr,), expr.span)
    if dtype == "boolean":
        return n.Compare("!=", expr, n.Number(0.0), expr.span)
    return expr


def _typed(values, dtype: str, dim, raw: bool):
    """Stored float64 values as the user sees them."""
    if dtype == "integer":
        return np.asarray(values).astype(np.int32)[()]
    if dtype == "boolean":
        return (np.asarray(values) != 0)[()]
    if raw or dim.is_dimensionless:
        return values
    from nerve.units import Quantity

    return Quantity(values, dim=dim)


class StateAccess:
    """Reading and writing the variables of a group or subgroup."""

    #: names of the root's subexpressions (set by NeuronGroup)
    _subexpressions: frozenset = frozenset()

    # -- what a name is ------------------------------------------------------------

    def _kind(self, name: str) -> str | None:
        root = self._state_root
        if name in root._columns:
            return "column"
        if name in root._subexpressions:
            return "subexpression"
        if name == "i":
            return "index"
        return None

    def _variable_dim(self, name: str):
        from nerve.units import DIMENSIONLESS

        root = self._state_root
        if name in root._dims:
            return root._dims[name]
        if name in root._subexpressions:
            return root.equations[name].dim
        return DIMENSIONLESS

    def _variable_dtype(self, name: str) -> str:
        root = self._state_root
        if name in root._dtypes:
            return root._dtypes[name]
        if name in root._subexpressions:
            return root.equations[name].dtype
        return "integer"  # i

    def _is_shared_variable(self, name: str) -> bool:
        """A shared variable of a neuron group (groups/shared.py; Synapses
        handle theirs in synapses/state.py)."""
        root = self._state_root
        if not getattr(root, "_lane_shared_variables", False):
            return False
        eq = root.equations.get(name)
        return eq is not None and "shared" in eq.flags

    def _explicit_namespace(self):
        return self._state_root.namespace

    def _what(self, name: str) -> str:
        return f"{self.name}.{name}"

    # -- attribute access --------------------------------------------------------------

    def __dir__(self):
        """Attributes and methods, with the variables (``v``, and ``v_`` without units)."""
        root = self._state_root
        names = [n for n in (*root._columns, *root._subexpressions) if not n.startswith("_")]
        return sorted({*super().__dir__(), *names, *(n + "_" for n in names), "i"})

    def __getattr__(self, name):
        # (only called when the ordinary lookup fails)
        if name.startswith("__"):
            raise AttributeError(name)
        kind = self._kind(name)
        raw = False
        if kind is None and name.endswith("_") and self._kind(name[:-1]) in (
                "column", "subexpression"):
            name, kind, raw = name[:-1], self._kind(name[:-1]), True
        if kind is None:
            raise AttributeError(f"{type(self).__name__} {self.__dict__.get('name')!r} has no "
                                 f"variable or attribute {name!r}")
        namespace = None
        if kind == "subexpression":
            # evaluated later, with the names visible here
            namespace = self._explicit_namespace()
            if namespace is None:
                from nerve.core.magic import caller_namespace

                namespace = caller_namespace(2)
        return VariableView(self, name, raw=raw, namespace=namespace)

    def __setattr__(self, name, value):
        if not self.__dict__.get("_locked"):
            object.__setattr__(self, name, value)
            return
        kind = self._kind(name)
        raw = False
        if kind is None and name.endswith("_") and self._kind(name[:-1]) is not None:
            name, kind, raw = name[:-1], self._kind(name[:-1]), True
        if kind is not None or name == "N":
            namespace = None
            if isinstance(value, str):
                namespace = self._explicit_namespace()
                if namespace is None:
                    from nerve.core.magic import caller_namespace

                    namespace = caller_namespace(2)
            self._write(name, ALL, value, raw, namespace)
        elif (not name.startswith("_") and not hasattr(type(self), name)
              and name not in self.__dict__):
            import difflib

            known = list(self._state_root._columns)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise AttributeError(
                f"{self.name!r} has no state variable {name!r}{hint}; its variables are "
                f"{', '.join(known)}. Declare new variables in the model equations")
        else:
            object.__setattr__(self, name, value)

    # -- reading -----------------------------------------------------------------

    def _read(self, name: str, key, raw: bool, namespace):
        """The values of ``name`` for the neurons ``key`` selects (ALL: all)."""
        if isinstance(key, tuple):
            # numpy's meaning for several indices (matplotlib uses values[:, None])
            try:
                return self._read(name, ALL, raw, namespace)[key]
            except IndexError as error:
                raise InvalidIndexError(
                    f"cannot index {self._what(name)} with {key!r}: {error}") from None
        root, start, stop = self._state_root, self._state_start, self._state_stop
        index = self._index(name, key, namespace)
        kind = self._kind(name)
        if kind == "index":
            values = np.arange(stop - start, dtype=np.int32)
            return values if index is None else values[index]
        if kind == "column":
            if name in root.__dict__.get("_links", {}):
                from nerve.groups.linked import refresh

                refresh(root, name)
            values = root._columns[name][start:stop]
            if self._is_shared_variable(name):
                if index is not None:
                    raise InvalidIndexError(
                        f"cannot index {self._what(name)}: it is a shared variable, one value "
                        f"for the whole group (Illegal index for variable '{name}', it is a "
                        f"scalar variable)")
                return _typed(root._columns[name][:1].reshape(()),
                              self._variable_dtype(name), self._variable_dim(name), raw)
        else:
            expr = root._expanded_subexpressions()[name]
            values = self._compute(expr, namespace, f"the subexpression {self._what(name)}")
        if index is not None:
            values = values[index]
        return _typed(values, self._variable_dtype(name), self._variable_dim(name), raw)

    def _index(self, name: str, key, namespace):
        """``key`` normalized (int, slice, int array), or None for all."""
        if key is ALL:
            return None
        if isinstance(key, str):
            return np.flatnonzero(self._compute_condition(key, namespace, name))
        return normalize_index(key, self._state_stop - self._state_start, self._what(name))

    # -- writing -----------------------------------------------------------------

    def _write(self, name: str, key, value, raw: bool, namespace) -> None:
        """``name[key] = value`` (key ALL: every neuron). A write from another
        thread while a run is in progress waits for the run to end."""
        from nerve.core.network import run_lock

        with run_lock:
            self._write_now(name, key, value, raw, namespace)

    def _write_now(self, name: str, key, value, raw: bool, namespace) -> None:
        from nerve.groups.linked import LinkedVariable, establish

        root = self._state_root
        if isinstance(value, LinkedVariable):
            if self is not root or key is not ALL:
                raise InvalidValueError(
                    f"link {self._what(name)} for the whole group: G.{name} = linked_var(...)")
            establish(root, name, value)
            return
        if name in root.__dict__.get("_links", {}):
            raise InvalidValueError(
                f"cannot set the linked variable {self._what(name)} directly: it reads "
                f"another group's variable; link it to another one with linked_var()")
        if name == "N" or self._kind(name) != "column":
            what = {"N": "the number of neurons, fixed when the group is created",
                    "i": "the index of each neuron"}.get(name, "a subexpression, computed "
                                                       "from the variables it uses")
            raise ReadOnlyVariableError(
                f"cannot assign to {self._what(name)}: it is read-only ({what})")
        if isinstance(value, VariableView) and (value._owner is self and value._name == name
                                                and value._raw == raw and key is ALL):
            return  # G.v += x has already written (VariableView.__iadd__)
        if isinstance(value, str):
            self._write_expression(name, key, value, namespace)
            return
        if self._is_shared_variable(name):
            self._write_shared_value(name, key, value, raw)
            return
        count = self._state_stop - self._state_start
        index = self._index(name, key, namespace)
        array = self._stored_values(name, value, raw, key)
        selected = count if index is None else selected_count(index, count)
        if array.ndim > 1 or (array.ndim == 1 and array.size != 1 and (
                selected is None or array.size != selected)):
            where = "" if key is ALL else f"[{key_text(key)}]"
            need = "a single value" if selected is None else f"a scalar or {selected} values"
            raise InvalidValueError(
                f"cannot set {self._what(name)}{where} from an array of shape {array.shape}: "
                f"give {need}")
        target = self._state_root._columns[name][self._state_start:self._state_stop]
        target[slice(None) if index is None else index] = (
            array.reshape(()) if selected is None else array)

    def _write_shared_value(self, name: str, key, value, raw: bool) -> None:
        """A shared variable takes one value, for the whole group."""
        if key is not ALL and not (isinstance(key, slice) and key == slice(None)):
            raise InvalidIndexError(
                f"cannot index {self._what(name)}: it is a shared variable, one value for "
                f"the whole group (Illegal index for variable '{name}', it is a scalar "
                f"variable)")
        array = self._stored_values(name, value, raw, key)
        if array.size != 1:
            raise InvalidValueError(
                f"cannot set the shared variable {self._what(name)} to an array of shape "
                f"{array.shape}: it holds one value for the whole group (setting an array "
                f"element with a sequence)")
        self._state_root._columns[name][:] = array.reshape(())

    def _stored_values(self, name: str, value, raw: bool, key) -> np.ndarray:
        """``value`` as float64 SI values to store in ``name``: units
        checked (unless ``raw``), cast to the variable's type."""
        from nerve.units import DIMENSIONLESS, Quantity, format_dimension, get_dimensions

        if isinstance(value, (list, tuple)):
            value = Quantity(value)
        try:
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise TypeError
            array = array.astype(float, copy=False)
        except (TypeError, ValueError):
            raise InvalidValueError(
                f"cannot set {self._what(name)} to {value!r}: give a number, an array or a "
                f"quantity (or a string expression)") from None
        dtype = self._variable_dtype(name)
        if not raw:
            given = get_dimensions(value)
            need = self._variable_dim(name) if dtype == "float" else DIMENSIONLESS
            # 0 fits every unit; any other plain number needs the variable's
            if given is not need and (given is not DIMENSIONLESS or np.any(array)):
                where = "" if key is ALL else f"[{key_text(key)}]"
                hint = (f"; only 0 may be given without units, other values need them "
                        f"(e.g. multiplied by {format_dimension(need)})"
                        if given is DIMENSIONLESS else "")
                raise DimensionMismatchError(
                    f"cannot set {self._what(name)}{where} (units of "
                    f"{format_dimension(need)}) to {value!r} (units of "
                    f"{format_dimension(given)}){hint}", need, given)
        if dtype == "integer":
            return np.trunc(array)
        if dtype == "boolean":
            return (array != 0).astype(float)
        return array

    def _write_expression(self, name: str, key, text: str, namespace) -> None:
        """``name[key] = '<expression>'``, evaluated per neuron by the engine."""
        from nerve.equations import check_statements, parse_expression

        root = self._state_root
        where = f"the assignment to {self._what(name)}"
        expr = parse_expression(text, where=where)
        resolver = root._resolver(namespace, where)[0]
        expr = substitute(expr, root._expanded_subexpressions())
        shared_key = (_assignment_key(root, name, text, expr, resolver)
                      if key is ALL and not self._is_shared_variable(name) else None)
        program = compiled.lookup(shared_key) if shared_key is not None else None
        if program is not None:
            self._run_program(program)
            return
        check_statements((n.Assign(name, "=", expr, expr.span),),
                         resolver.reading(text, where).dimension, source=text, where=where,
                         booleans=root._booleans())
        value = _cast(expr, self._variable_dtype(name))
        if self._is_shared_variable(name):
            from nerve.groups.shared import SharedLane, check_shared

            statement = n.Assign(name, "=", value, expr.span)
            check_shared(statement, root, text, where)
            if key is not ALL and not (isinstance(key, slice) and key == slice(None)):
                raise InvalidIndexError(
                    f"cannot index {self._what(name)}: it is a shared variable, one value for "
                    f"the whole group")
            from nerve.core.network import run_lock

            clock = root.clock
            with run_lock:
                SharedLane.of(root).execute((statement,), resolver, clock.t_, clock.dt_,
                                            clock.timestep)
            return
        if key is ALL or isinstance(key, str):
            if isinstance(key, str):
                value = n.Call("where", (self._condition(key, namespace, name), value,
                                         n.Name(name)), expr.span)
            program = self._execute(n.Assign(name, "=", value, expr.span), namespace, where)
            if shared_key is not None and program is not None:
                compiled.store(shared_key, program)
            return
        index = self._index(name, key, namespace)
        computed = self._compute(value, namespace, where)
        target = root._columns[name][self._state_start:self._state_stop]
        target[index] = computed[index]

    # -- the engine ----------------------------------------------------------------

    def _condition(self, text: str, namespace, name: str):
        """A condition string as a checked node; a dimensionless value that
        is not a comparison counts as true when non-zero (as in Brian2)."""
        from nerve.equations import check_expression, parse_expression
        from nerve.units import DIMENSIONLESS

        root = self._state_root
        where = f"the condition {self._what(name)}[{text!r}]"
        expr = substitute(parse_expression(text, where=where), root._expanded_subexpressions())
        resolve = root._resolver(namespace, where)[0].reading(text, where).dimension
        try:
            check_expression(expr, resolve, "boolean", source=text, where=where,
                             booleans=root._booleans())
            return expr
        except DimensionMismatchError:
            if check_expression(expr, resolve, None, source=text, where=where,
                                booleans=root._booleans()) is not DIMENSIONLESS:
                raise
            return n.Compare("!=", expr, n.Number(0.0), expr.span)

    def _compute_condition(self, text: str, namespace, name: str) -> np.ndarray:
        """Whether each neuron of the owner satisfies a condition string."""
        computed = self._compute(self._condition(text, namespace, name), namespace,
                                 f"the condition {self._what(name)}[{text!r}]")
        return computed != 0

    def _compute(self, expr, namespace, where: str) -> np.ndarray:
        """The value of ``expr`` for each neuron of the owner (float64 SI)."""
        scratch = np.empty(self._state_stop - self._state_start)
        self._execute(n.Assign(_SCRATCH, "=", expr, expr.span), namespace, where,
                      scratch=scratch)
        return scratch

    def _execute(self, statement: n.Assign, namespace, where: str, *, scratch=None):
        """Run one statement over the owner's neurons on the engine (after
        any run in progress in another thread); the program run, or None
        when it read the results of Python functions (it is not reusable)."""
        from nerve.core.network import run_lock

        with run_lock:
            return self._execute_now(statement, namespace, where, scratch=scratch)

    def _run_program(self, program) -> None:
        """Run an assignment's program made earlier by :meth:`_execute` for
        a group of the same model (see :func:`_assignment_key`)."""
        from nerve import _core
        from nerve.core.network import run_lock

        with run_lock:
            root, start, stop = self._state_root, self._state_start, self._state_stop
            columns = [column[start:stop] for column in root._columns.values()]
            clock = root.clock
            _core.execute(program, columns, stop - start, root._rng.get(), clock.t_,
                          clock.dt_, clock.timestep)

    def _execute_now(self, statement: n.Assign, namespace, where: str, *, scratch=None):
        from nerve import _core

        root, start, stop = self._state_root, self._state_start, self._state_stop
        columns = [column[start:stop] for column in root._columns.values()]
        extra = None
        if scratch is not None:
            extra = {_SCRATCH: len(columns)}
            columns.append(scratch)
        resolver = root._resolver(namespace if namespace is not None else {}, where)[0]
        functions = resolver.functions((statement,))
        if any(f.host for f in functions.values()):
            # (Python functions: called now, their results read as columns)
            from nerve.functions.host import evaluate_now

            statement, results = evaluate_now(
                statement, functions, lambda e: self._compute(e, namespace, where),
                stop - start, self.name, where)
            extra = dict(extra or {})
            for name, values in results.items():
                extra[name] = len(columns)
                columns.append(values)
        program = root._program((statement,), resolver, scratch=extra)
        clock = root.clock
        _core.execute(program, columns, stop - start, root._rng.get(), clock.t_, clock.dt_,
                      clock.timestep)
        return program if extra is None else None


def _assignment_key(root, name: str, text: str, expr, resolver):
    """The key under which the program of ``G.name = text`` (every neuron;
    ``expr``: the text parsed, with the model's subexpressions substituted)
    is shared by the groups made from the same model strings
    (:mod:`nerve.groups.compiled`): the program depends only on the model
    (its column layout, subexpressions and types), the text, and the
    external names the expression uses (dimension and exact value). Checks
    of units passed for the first group pass for the next. None when it
    cannot be shared (a group without a model key, with linked variables,
    a text calling functions of the namespace, a name that does not
    resolve: the full path reports it)."""
    model = getattr(root, "_model_key", None)
    if model is None or called_names((expr,)) or root.__dict__.get("_links"):
        return None
    try:
        externals = resolver.external_key(free_names(expr))
    except Exception:
        return None
    if any(len(entry) != 3 for entry in externals):
        return None  # (a function used as a value, a math constant, an unknown name)
    return ("assignment", model, name, text, externals)
