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


def statements_program(group, text: str, where: str, namespace):
    """A program running the statements ``text`` on the neurons of ``group``."""
    from nerve.equations import check_statements, parse_statements

    statements = parse_statements(text, where=where)
    resolver, subexprs = group._resolver(namespace, where)
    statements = tuple(substitute(s, subexprs) for s in statements)
    check_statements(statements, resolver.reading(text, where).dimension, source=text,
                     where=where, booleans=group._booleans(), variables=resolver.variables)
    return group._program(statements, resolver)


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
        program = statements_program(group, self.code, f"the code of {self.name!r}", namespace)
        g = group._engine_group(run)
        if self.event is None:
            operation = Operation(self.name, "update", self.clock, self.when, self.order, g,
                                  0, program, group, self.type_name)
        else:
            event = group._event_index(self.event)
            operation = Operation(self.name, "on_event", self.clock, self.when, self.order, g,
                                  event, program, group, self.type_name)
        operation.prelude = group._link_prelude(run, operation)
        run.add(operation)


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
