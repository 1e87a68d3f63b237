"""``S.pre``, ``S.post``, ``S.up``: a synaptic pathway as the user sees it."""

from __future__ import annotations

__all__ = ["SynapticPathway"]


class SynapticPathway:
    """``S.pre``, ``S.post`` or a named pathway (``S.up``): its name and its
    delays (``S.up.delay``, read and written as a synaptic variable)."""

    __slots__ = ("_synapses", "_key")

    def __init__(self, synapses, key: str):
        object.__setattr__(self, "_synapses", synapses)
        object.__setattr__(self, "_key", key)

    @property
    def name(self) -> str:
        return f"{self._synapses.name}_{self._key}"

    def _column(self) -> str:
        column = self._synapses._delay_columns.get(self._key)
        if column is None:
            raise AttributeError(
                f"the pathway {self.name!r} has no delay (it runs on the postsynaptic spikes "
                f"without one; give delay={{{self._key!r}: ...}} to Synapses for one)")
        return column

    @property
    def delay(self):
        from nerve.groups.variables import VariableView

        return VariableView(self._synapses, self._column())

    def __setattr__(self, name, value):
        if name != "delay":
            raise AttributeError(f"a synaptic pathway has no settable attribute {name!r}")
        namespace = None
        if isinstance(value, str):
            namespace = self._synapses.namespace
            if namespace is None:
                from nerve.core.magic import caller_namespace

                namespace = caller_namespace(2)
        from nerve.groups.indexing import ALL

        self._synapses._write(self._column(), ALL, value, False, namespace)

    def __repr__(self) -> str:
        return f"<SynapticPathway {self.name!r}>"
