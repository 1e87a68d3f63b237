"""Recording, per synapse, what is not a synaptic column:
``StateMonitor(S, 'g')`` (an unsuffixed postsynaptic variable, as Brian2
allows), ``'v_pre'``, ``'x_post'``, subexpressions of the synapses or of the
neuron groups, ``i``/``j``/``N_incoming``...

Each such name gets a scratch column in the synapses' engine group, after the
synaptic variables and the counts (``_column_list()``); an operation run just
before the monitor's (``_subexpression_slot``, the protocol
``StateMonitor`` uses for a neuron group's subexpressions) copies the value
of each synapse into it through the synapse's indices.
"""

from __future__ import annotations

import numpy as np

from nerve.core.schedule import Operation
from nerve.equations import nodes as n

__all__ = ["SynapticRecording"]


class SynapticRecording:
    """Mixin of :class:`~nerve.synapses.Synapses` (see the module docstring)."""

    def _computed_for_recording(self, name: str) -> bool:
        """Whether a StateMonitor can record ``name``, computed per synapse
        before each recording (a name that is not a synaptic column)."""
        return name not in self._columns and self._kind(name) is not None

    def _engine_columns(self, run) -> list:
        """The columns of the synapses' engine group: ``_column_list()``, then
        one scratch column per computed name a monitor records in ``run``."""
        namespace = self.namespace if self.namespace is not None else run.namespace
        hosts = self._host_plan(namespace)  # (scratch columns of Python function calls)
        columns = self._column_list() + ([hosts.arrays[k] for k in hosts.names]
                                         if hosts else [])
        observed = run.observed.get(id(self), ())
        names = sorted(name for name in observed if self._computed_for_recording(name))
        self.__dict__["_record_slots"] = {name: len(columns) + k
                                          for k, name in enumerate(names)}
        columns = columns + [np.zeros(self.N) for _ in names]
        # (the list the run holds: count columns computed later go into it)
        self.__dict__["_run_columns"] = columns
        return columns

    def _subexpression_slot(self, run, name: str, operation) -> tuple[int, list]:
        """The engine column holding ``name`` per synapse, and the operation
        computing it, to run just before ``operation``."""
        g = self._engine_group(run)
        slot = self.__dict__["_record_slots"][name]
        namespace = self.namespace if self.namespace is not None else run.namespace
        target = f"_nerve_record_{name}"
        where = f"the recording of {self.name}.{name}"
        program, bindings, accumulate = self._program(
            (n.Assign(target, "=", n.Name(name)),), namespace, where, None, check=False,
            outputs={target: slot})
        pre, post = self._sides(run)
        pathway = run.pathway((g, pre, post, self._pre, self._post, program, bindings, None,
                               None, accumulate))
        compute = Operation(f"{operation.name}_{name}", "synaptic", operation.clock,
                            operation.when, operation.order, pathway, owner=self,
                            type_name="Subexpression", listed=False)
        return slot, [compute]
