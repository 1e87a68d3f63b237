"""``G.v``: a live view of one variable of a group, as Brian2's VariableView.

A :class:`VariableView` holds no values: every use reads the group's current
state. It behaves like the unit-carrying array of those values (arithmetic,
comparisons, numpy functions and ufuncs, ``len``, iteration), and it is where
indexing happens: ``G.v[3]``, ``G.v[2:5]``, ``G.v[mask]``, ``G.v['v > 0*mV']``
read; the same keys on the left of ``=`` write, with the units checked, and a
string on the right is evaluated per neuron by the engine.

Reading a slice of a float variable gives a Quantity that shares memory with
the group's state (as numpy's slices do, and as Brian2's runtime targets do);
integer and boolean variables, subexpressions, index arrays and conditions
give copies. ``G.v_`` is the same view without units (SI values).

The view delegates the work to its owner (a NeuronGroup or a Subgroup), which
implements ``_read(name, key, raw, namespace)``,
``_write(name, key, value, raw, namespace)``, ``_variable_dim(name)`` and
``_variable_dtype(name)`` (``groups/access.py``).
"""

from __future__ import annotations

import operator

import numpy as np

from nerve.groups.indexing import ALL

__all__ = ["VariableView"]


def _values_of(x):
    """``x`` with a VariableView replaced by its current values."""
    return x._values() if isinstance(x, VariableView) else x


def _replace_views(obj):
    """The arguments of a numpy call with every view replaced by its values
    (also inside lists and tuples, e.g. ``np.concatenate([G.v, G.w])``)."""
    if isinstance(obj, VariableView):
        return obj._values()
    if isinstance(obj, (list, tuple)):
        return type(obj)(_replace_views(x) for x in obj)
    return obj


def _binary(op):
    def forward(self, other):
        return op(self._values(), _values_of(other))

    def reflected(self, other):
        return op(_values_of(other), self._values())

    return forward, reflected


def _inplace(op):
    def method(self, other):
        self._owner._write(self._name, ALL, op(self._values(), _values_of(other)),
                           self._raw, None)
        return self

    return method


class VariableView:
    """The variable ``name`` of ``owner`` (a NeuronGroup or Subgroup), read
    and written through indexing; see the module documentation."""

    __slots__ = ("_owner", "_name", "_raw", "_namespace")
    __hash__ = None  # comparisons are elementwise

    def __init__(self, owner, name: str, *, raw: bool = False, namespace=None):
        self._owner = owner
        self._name = name
        self._raw = raw
        #: the names visible where the view was made (for subexpressions that
        #: use external constants); None: the caller's names at each use
        self._namespace = namespace

    # -- what it is ----------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name + "_" if self._raw else self._name

    @property
    def group(self):
        return self._owner

    @property
    def dim(self):
        from nerve.units import DIMENSIONLESS

        return DIMENSIONLESS if self._raw else self._owner._variable_dim(self._name)

    @property
    def unit(self):
        from nerve.units import get_unit

        return get_unit(self.dim)

    @property
    def shape(self) -> tuple[int]:
        return (self._owner.N,)

    @property
    def ndim(self) -> int:
        return 1

    @property
    def size(self) -> int:
        return self._owner.N

    @property
    def dtype(self):
        return {"float": np.dtype(np.float64), "integer": np.dtype(np.int32),
                "boolean": np.dtype(bool)}[self._owner._variable_dtype(self._name)]

    def __len__(self) -> int:
        return self._owner.N

    # -- reading and writing ---------------------------------------------------

    def _values(self):
        return self._owner._read(self._name, ALL, self._raw, self._namespace)

    def _names(self, key, value=None, depth: int = 3):
        """The namespace for string keys or values: the view's own, the
        group's explicit one, or the names visible ``depth`` frames up (by
        default the code that indexed the view)."""
        if self._namespace is not None:
            return self._namespace
        if not isinstance(key, str) and not isinstance(value, str):
            return None
        explicit = self._owner._explicit_namespace()
        if explicit is not None:
            return explicit
        from nerve.core.magic import caller_namespace

        return caller_namespace(depth)

    def __getitem__(self, key):
        return self._owner._read(self._name, key, self._raw, self._names(key))

    def __setitem__(self, key, value):
        self._owner._write(self._name, key, value, self._raw, self._names(key, value))

    def get_item(self, key, level: int = 0, namespace=None):
        """``view[key]``, with the names of strings looked up ``level`` frames
        above the caller, or in ``namespace``."""
        if namespace is None:
            namespace = self._names(key, depth=level + 3)
        return self._owner._read(self._name, key, self._raw, namespace)

    def set_item(self, key, value, level: int = 0, namespace=None):
        """``view[key] = value`` (see :meth:`get_item`)."""
        if namespace is None:
            namespace = self._names(key, value, depth=level + 3)
        self._owner._write(self._name, key, value, self._raw, namespace)

    # -- behaving like the array of values ---------------------------------------

    def __array__(self, dtype=None, copy=None):
        values = np.asarray(self._values())
        if dtype is not None:
            values = values.astype(dtype, copy=False)
        return values.copy() if copy else values

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(o, VariableView) for o in kwargs.get("out", ())):
            return NotImplemented
        return getattr(ufunc, method)(*(_values_of(x) for x in inputs), **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return func(*_replace_views(args), **{k: _replace_views(v) for k, v in kwargs.items()})

    def __getattr__(self, attr):
        # array methods (G.v.max(), G.v.copy(), G.v.mean()...) act on the values
        if attr.startswith("_"):
            raise AttributeError(attr)
        values = self._values()
        try:
            return getattr(values, attr)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__} {self._owner.name}.{self.name} has no attribute "
                f"{attr!r} (neither has the array of its values)") from None

    def __iter__(self):
        return iter(self._values())

    def __contains__(self, item) -> bool:
        return item in self._values()

    def __float__(self) -> float:
        return float(np.asarray(self._values()))

    def __int__(self) -> int:
        return int(np.asarray(self._values()))

    __add__, __radd__ = _binary(operator.add)
    __sub__, __rsub__ = _binary(operator.sub)
    __mul__, __rmul__ = _binary(operator.mul)
    __truediv__, __rtruediv__ = _binary(operator.truediv)
    __floordiv__, __rfloordiv__ = _binary(operator.floordiv)
    __mod__, __rmod__ = _binary(operator.mod)
    __pow__, __rpow__ = _binary(operator.pow)
    __matmul__, __rmatmul__ = _binary(operator.matmul)
    __and__, __rand__ = _binary(operator.and_)
    __or__, __ror__ = _binary(operator.or_)
    __xor__, __rxor__ = _binary(operator.xor)
    __iadd__ = _inplace(operator.add)
    __isub__ = _inplace(operator.sub)
    __imul__ = _inplace(operator.mul)
    __itruediv__ = _inplace(operator.truediv)
    __ifloordiv__ = _inplace(operator.floordiv)
    __imod__ = _inplace(operator.mod)
    __ipow__ = _inplace(operator.pow)

    def __eq__(self, other):
        return self._values() == _values_of(other)

    def __ne__(self, other):
        return self._values() != _values_of(other)

    def __lt__(self, other):
        return self._values() < _values_of(other)

    def __le__(self, other):
        return self._values() <= _values_of(other)

    def __gt__(self, other):
        return self._values() > _values_of(other)

    def __ge__(self, other):
        return self._values() >= _values_of(other)

    def __neg__(self):
        return -self._values()

    def __pos__(self):
        return +self._values()

    def __abs__(self):
        return abs(self._values())

    def __invert__(self):
        return ~self._values()

    def __repr__(self) -> str:
        values = self._values()
        # (a shared variable is one value: shown as Brian2 shows it, '2.0', '3. mV')
        shown = str(values) if np.ndim(values) == 0 else repr(values)
        return f"<{self._owner.name}.{self.name}: {shown}>"

    __str__ = __repr__
