"""Calls of Python functions (``Function``, ``@check_units``,
``@implementation('numpy', ...)``) in the code of :class:`Synapses`: the
clock-driven equations, the (summed) variables, on_pre/on_post.

As for a neuron group (see :mod:`nerve.functions.host`), each call
``f(a, b)`` in a block is rewritten into a read of a scratch synaptic column
``_host_k``; just before the block's operation, each step, a synaptic program
computes ``a`` and ``b`` for every synapse (reading pre/post variables
through the synapses' indices) into scratch columns, then the host calls
``f`` once with those arrays. For on_pre/on_post the function is evaluated
for ALL synapses before the pathway delivers its events, on the values of
that step (which is what the arriving synapses read in Brian2 too, as long as
the arguments are not assigned earlier in the same block: refused). Cost: a
pass over all synapses and a Python call per block and step, 8 bytes per
synapse per argument and result.

The scratch columns come after the synapses' own columns and counts, before
those of recorded names (``recording.py``), so their slots do not depend on
the run's monitors.
"""

from __future__ import annotations

from types import SimpleNamespace

from nerve.core.schedule import Operation
from nerve.equations import nodes as n
from nerve.groups.namespace import free_names, substitute

__all__ = ["SynapticHostCalls"]


class SynapticHostCalls:
    """Mixin of :class:`~nerve.synapses.Synapses` (see the module docstring)."""

    def _host_plan(self, namespace):
        """The rewritten blocks and their calls for this run (or None when the
        synapses' code calls no Python function)."""
        from nerve.functions.host import HostCalls

        # (subexpressions may call them: look at the expanded code)
        resolver = self._resolver(namespace, f"Synapses {self.name!r}")[0]
        nodes_ = [self._prepared(stmts) for _, _, stmts in self._statements.values()]
        nodes_ = [s for block in nodes_ for s in block]
        nodes_ += [self._expand_neuron_subexpressions(
            _substituted(eq.expr, self._expanded_subexprs))
            for eq in self.equations.values() if eq.expr is not None]
        functions = {k: f for k, f in resolver.functions(nodes_).items() if f.host}
        if not functions:
            self.__dict__["_host_plan_now"] = None
            return None
        base = len(self._column_list())
        hosts = HostCalls(SimpleNamespace(N=self.N, _columns=range(base), name=self.name),
                          functions)
        if self._clock_driven:
            where = f"the equations of Synapses {self.name!r}"
            hosts.rewritten["clock"] = hosts.statements(
                self._prepared(self._clock_statements(namespace)), "clock", where)
        for var in self._summed:
            base_, suffix = var.rsplit("_", 1)
            expr = _substituted(self.equations[var].expr, self._expanded_subexprs)
            where = f"the (summed) variable {var!r} of Synapses {self.name!r}"
            hosts.rewritten[f"summed_{var}"] = hosts.statements(
                self._prepared((n.Assign(base_ + "_" + suffix, "+=", expr),)),
                f"summed_{var}", where)
        for key in self._statements:
            role = self._statements[key][0]
            where = (f"on_{role} of Synapses {self.name!r}" if key == role else
                     f"on_{role}[{key!r}] of Synapses {self.name!r}")
            block = hosts.statements(self._prepared(self._pathway_statements(key)),
                                     f"pathway_{key}", where)
            hosts.rewritten[f"pathway_{key}"] = block
            self._refuse_written_neuron_arguments(hosts.calls.get(f"pathway_{key}", []),
                                                  block, where)
        self.__dict__["_host_plan_now"] = hosts
        return hosts

    def _refuse_written_neuron_arguments(self, calls, block, where: str) -> None:
        """Synapses sharing a neuron see each other's writes to it (Brian2
        runs them one after the other): a function evaluated once for all
        synapses beforehand cannot read a neuron variable the block writes."""
        from nerve.exceptions import NotSupportedError

        written = {s.target for s in block if self._neuron_variable(s.target) is not None}
        for _, function, _, exprs in calls:
            read = written.intersection(free_names(*exprs))
            if read:
                raise NotSupportedError(
                    f"the Python function {function.name}() is called in {where} with an "
                    f"argument reading {sorted(read)[0]!r}, which the same code writes: "
                    f"nerve evaluates Python functions for all synapses before the events "
                    f"are delivered, so it cannot see the writes of other synapses to the "
                    f"same neuron; compute the value in the neuron group instead")

    def _host_outputs(self) -> dict:
        hosts = self.__dict__.get("_host_plan_now")
        return hosts.slots() if hosts else {}

    def _host_rewritten(self, role: str):
        hosts = self.__dict__.get("_host_plan_now")
        if hosts is None:
            return None
        return hosts.rewritten.get(role)

    def _host_prelude(self, run, role: str, namespace, operation) -> list:
        """The operations computing the calls of ``role`` just before
        ``operation``: the arguments over all synapses, then the host call."""
        hosts = self.__dict__.get("_host_plan_now")
        calls = hosts.calls.get(role) if hosts else None
        if not calls:
            return []
        ops = []
        assigns = tuple(n.Assign(arg_name, "=", expr) for _, _, names, exprs in calls
                        for arg_name, expr in zip(names, exprs))
        if assigns:
            where = f"the arguments of Python functions in Synapses {self.name!r}"
            program, bindings, accumulate = self._cached(
                ("host_arguments", role), lambda: self._program(
                    assigns, namespace, where, None, check=False, outputs=hosts.slots()))
            g = self._engine_group(run)
            pre, post = self._sides(run)
            pathway = run.pathway((g, pre, post, self._pre, self._post, program, bindings,
                                   None, None, accumulate))
            ops.append(Operation(f"{operation.name}_host_arguments", "synaptic",
                                 operation.clock, operation.when, operation.order, pathway,
                                 owner=self, type_name="HostArguments", listed=False))
        ops.append(hosts.call_operation(run, operation, calls, self))
        return ops


def _substituted(expr, mapping):
    return substitute(expr, mapping)

