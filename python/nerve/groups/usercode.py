"""Code a user adds to a group's schedule: ``G.run_regularly(code)``
(statements over every neuron at the runner's clock), custom events
(``NeuronGroup(..., events={'name': 'condition'})``) and
``G.run_on_event(name, code)`` (statements on the neurons where the event
happened). All of it runs on the engine, compiled like resets."""

from __future__ import annotations

from nerve.core.base import NerveObject
from nerve.core.schedule import Operation
from nerve.exceptions import ModelDefinitionError
from nerve.groups.namespace import free_names, substitute

__all__ = ["CodeRunner", "statements_program", "condition_program"]


def statements_program(group, text: str, where: str, namespace, *, shared: bool = False,
                       role: str | None = None):
    """A program running the statements ``text`` on the neurons of ``group``.
    With ``shared``, ``(shared program or None, program or None)``: the
    leading assignments of shared variables run once, on the group's
    :class:`~nerve.groups.shared.SharedLane`; without, shared variables may
    not be assigned. ``role`` names the code's calls of Python functions
    among the group's (``runner_<name>``)."""
    from nerve.equations import check_statements, parse_statements
    from nerve.groups.shared import SharedLane, refuse_shared_writes, split_shared

    statements = parse_statements(text, where=where)
    resolver, subexprs = group._resolver(namespace, where)
    statements = tuple(substitute(s, subexprs) for s in statements)
    check_statements(statements, resolver.reading(text, where).dimension, source=text,
                     where=where, booleans=group._booleans(), variables=resolver.variables)
    # (calls of Python functions read scratch columns: see nerve.functions.host)
    hosts = getattr(group.__dict__.get("_programs"), "hosts", None)
    rewritten = hosts.rewritten.get(role) if hosts is not None and role else None
    scratch = None
    if rewritten is not None:
        statements, scratch = tuple(rewritten), hosts.slots()
    if not shared:
        refuse_shared_writes(statements, group, text, where)
        return group._program(statements, resolver, scratch=scratch)
    first, rest = split_shared(statements, group, text, where)
    if rewritten is not None and any(name.startswith("_host_") for name in free_names(*first)):
        from nerve.exceptions import NotSupportedError

        raise NotSupportedError(
            f"{where} calls a Python function in an assignment of a shared variable, which "
            f"is not supported yet (call it from per-neuron statements, or from a "
            f"network_operation)")
    return (SharedLane.of(group).program(first, resolver) if first else None,
            group._program(tuple(rest), resolver, scratch=scratch) if rest else None)


def condition_program(group, text: str, where: str, namespace):
    """A program collecting the neurons of ``group`` where ``text`` holds."""
    from nerve.equations import check_expression, parse_expression

    condition = parse_expression(text, where=where)
    resolver, subexprs = group._resolver(namespace, where)
    condition = substitute(condition, subexprs)
    check_expression(condition, resolver.reading(text, where).dimension, "boolean",
                     source=text, where=where, booleans=group._booleans())
    return group._program((), resolver, condition)


def names_in(text: str, where: str, *, condition: bool = False) -> set[str]:
    """The names a code string reads or writes (checked for syntax now)."""
    from nerve.equations import parse_expression, parse_statements

    nodes = ((parse_expression(text, where=where),) if condition
             else parse_statements(text, where=where))
    return set(free_names(*nodes)) | {s.target for s in nodes if hasattr(s, "target")}


class CodeRunner(NerveObject):
    """Statements run on a group's neurons: every step of its clock
    (``run_regularly``) or on the neurons of an event (``run_on_event``).
    It belongs to the group and runs whenever the group does."""

    invalidates_magic_network = False

    def __init__(self, group, code: str, *, event: str | None = None, dt=None, clock=None,
                 when="start", order=0, name=None, type_name="CodeRunner"):
        if not isinstance(code, str):
            raise TypeError(f"the code to run must be a string of statements, got {code!r}")
        if dt is None and clock is None:
            clock = group.clock
        super().__init__(name=name, dt=dt, clock=clock, when=when, order=order)
        self.group, self.code, self.event = group, code, event
        self.type_name = type_name
        where = f"the code of {self.name!r}"
        self._names = names_in(code, where)

    def _observes(self):
        return {self.group: self._names}

    def _dependencies(self):
        return (self.group,)

    def _contribute(self, run) -> None:
        group = self.group
        namespace = group.namespace if group.namespace is not None else run.namespace
        where = f"the code of {self.name!r}"
        g = group._engine_group(run)
        if self.event is None:
            from nerve.groups.shared import SharedLane

            shared, program = statements_program(group, self.code, where, namespace,
                                                 shared=True, role=f"runner_{self.name}")
            if shared is not None:
                before, operation, after = SharedLane.of(group).operations(
                    run, self.clock, self.when, self.order, self.name, shared, self.type_name)
                if program is None:
                    operation.prelude, operation.postlude = before, after
                    run.add(operation)
                    return
                operation.listed = False  # (the per-neuron part below is listed)
                leading = [*before, operation, *after]
            else:
                leading = []
            operation = Operation(self.name, "update", self.clock, self.when, self.order, g,
                                  0, program, group, self.type_name)
            operation.prelude = [*group._link_prelude(run, operation), *leading,
                                 *self._host_prelude(run, operation, namespace)]
            run.add(operation)
            return
        else:
            program = statements_program(group, self.code, where, namespace,
                                         role=f"runner_{self.name}")
            event = group._event_index(self.event)
            operation = Operation(self.name, "on_event", self.clock, self.when, self.order, g,
                                  event, program, group, self.type_name)
        operation.prelude = [*group._link_prelude(run, operation),
                             *self._host_prelude(run, operation, namespace)]
        run.add(operation)

    def _host_prelude(self, run, operation, namespace) -> list:
        """The evaluation of the Python functions the code calls."""
        hosts = getattr(self.group.__dict__.get("_programs"), "hosts", None)
        if hosts is None:
            return []
        resolver = self.group._resolver(namespace, f"the code of {self.name!r}")[0]
        return hosts.prelude(run, f"runner_{self.name}", resolver, operation)


def check_events(events) -> dict[str, str]:
    """The custom events of a group: names mapped to condition strings."""
    if events is None:
        return {}
    if not isinstance(events, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in events.items()):
        raise TypeError(f"events must map event names to condition strings, got {events!r}")
    if "spike" in events:
        raise ModelDefinitionError(
            "'spike' is the event of the threshold: give threshold='...' instead of an "
            "event named 'spike'")
    for name, condition in events.items():
        if not name.isidentifier():
            raise ModelDefinitionError(f"an event name must be an identifier, got {name!r}")
        names_in(condition, f"the condition of event {name!r}", condition=True)
    return dict(events)
