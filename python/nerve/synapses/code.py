"""How Synapses take part in a run: their programs and operations.

A synaptic program is lowered like any program, but its column slots are
*bindings* (``rust/nerve-core/src/schedule/synapses.rs``): a synaptic
column, a column of the pre- or postsynaptic group read and written through
the synapse's indices, or the indices ``i``/``j`` themselves. The engine
gathers the bound values per synapse, runs the program, and scatters the
written ones back in synapse order, so ``v_post += w`` from several synapses
onto one neuron adds them all, in order.

Operations contributed (Brian2's schedule):

- ``<name>_stateupdater`` (slot ``groups``, the Synapses' clock): the
  ``(clock-driven)`` equations, over every synapse;
- ``<name>_summed_variable_<var>`` (slot ``groups``, order of the target
  minus one, the target's clock): the target variable of a ``(summed)``
  subexpression set to 0 on the target's neurons, then the sum over synapses;
- ``<name>_pre`` / ``<name>_post`` (slot ``synapses``, order -1 / +1, the
  clock of the group whose spikes trigger them): spikes queued by delay, then
  ``on_pre``/``on_post`` over the synapses whose spike arrives this step.
  ``(event-driven)`` variables are first advanced from ``lastupdate`` to ``t``
  (exact integration over ``t - lastupdate``), and ``lastupdate = t`` ends
  the code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nerve.core.schedule import Operation
from nerve.equations import nodes as n
from nerve.exceptions import ModelDefinitionError
from nerve.groups.namespace import free_names, substitute

__all__ = ["Side", "SynapticCode"]


@dataclass(frozen=True)
class Side:
    """The neurons on one side of the synapses: the root group, the first
    neuron of the (sub)group and its size. A side that is another Synapses
    object (its synapses as the "neurons") has ``size`` None: its size is
    the number of synapses at the time it is asked."""

    root: object
    start: int
    size: int | None

    @property
    def n(self) -> int:
        return self.root.N if self.size is None else self.size


class SynapticCode:
    """Mixin of :class:`~nerve.synapses.Synapses` (see the module docstring)."""

    def _classify_equations(self) -> None:
        self._event_driven, self._clock_driven, self._summed = [], [], []
        for name_, eq in self.equations.items():
            if eq.kind == "differential":
                if "event-driven" in eq.flags and "clock-driven" in eq.flags:
                    raise ModelDefinitionError(
                        f"'{name_}' cannot be both (event-driven) and (clock-driven)")
                (self._event_driven if "event-driven" in eq.flags
                 else self._clock_driven).append(name_)
            elif eq.kind == "subexpression" and "summed" in eq.flags:
                side = ("post" if name_.endswith("_post") else
                        "pre" if name_.endswith("_pre") else None)
                if side is None:
                    raise ModelDefinitionError(
                        f"the (summed) variable '{name_}' must name a variable of the "
                        f"target or source group, with the suffix _post or _pre "
                        f"(e.g. 'I_post = w*s : amp (summed)')")
                self._summed.append(name_)
        for name_ in self._summed:
            base, side = name_.rsplit("_", 1)
            root = (self._post_side if side == "post" else self._pre_side).root
            eq = root.equations.get(base)
            if eq is None or eq.kind != "parameter":
                what = "target" if side == "post" else "source"
                found = (f"'{base}' is a {eq.kind.replace('differential', 'differential equation')}"
                         f" there" if eq is not None else f"it has no '{base}'")
                raise ModelDefinitionError(
                    f"the (summed) variable '{name_}' needs a parameter '{base}' in the {what} "
                    f"group {root.name!r}, but {found}; declare it there as a parameter "
                    f"(e.g. '{base} : 1')")
        for name_, eq in self.equations.items():
            if name_ in self._summed:
                continue
            if name_.endswith(("_pre", "_post")):
                raise ModelDefinitionError(
                    f"'{name_}' cannot be the name of a variable of Synapses {self.name!r}: the "
                    f"suffixes _pre and _post name variables of the source and target groups "
                    f"(a (summed) subexpression excepted); rename it")
            for side, what in ((self._pre_side, "pre"), (self._post_side, "post")):
                if name_ in side.root._columns or name_ in side.root._subexpressions:
                    raise ModelDefinitionError(
                        f"the {what}-synaptic group {side.root.name!r} has a variable "
                        f"'{name_}', the name of a variable of Synapses {self.name!r}: rename "
                        f"the synaptic variable (e.g. to '{name_}_syn') to avoid confusion")

    def _check_driven_dependencies(self) -> None:
        """An (event-driven) variable is advanced only at events and a
        (clock-driven) one every step: neither may read the other (Brian2
        refuses it too)."""
        kinds = {name_: "event-driven" for name_ in self._event_driven}
        kinds.update({name_: "clock-driven" for name_ in self._clock_driven})
        for name_, kind in kinds.items():
            expr = substitute(self.equations[name_].expr, self._expanded_subexprs)
            for used in sorted(free_names(expr)):
                if used in kinds and kinds[used] != kind:
                    raise ModelDefinitionError(
                        f"the {kind} variable '{name_}' of Synapses {self.name!r} depends on "
                        f"the {kinds[used]} variable '{used}': an (event-driven) variable is "
                        f"advanced only at events, a (clock-driven) one every step; make both "
                        f"(clock-driven)")

    # -- the run protocol -------------------------------------------------

    def _dependencies(self):
        return (self._pre_side.root, self._post_side.root)

    def _observes(self):
        """Neuron variables read by the synaptic code (the groups keep them
        up to date during the run)."""
        nodes_ = [stmt for _, _, stmts in self._statements.values() for stmt in stmts]
        nodes_ += [eq.expr for eq in self.equations.values() if eq.expr is not None]
        names = set(free_names(*nodes_))
        observed = {}
        for name_ in names:
            found = self._neuron_variable(name_)
            if found is not None:
                side, var = found
                observed.setdefault(side.root, set()).add(var)
        # writes to (unless refractory) variables read the target's flag
        for _, _, stmts in self._statements.values():
            for stmt in stmts:
                guarded = self._write_guard(stmt.target)
                if guarded is not None:
                    observed.setdefault(guarded[0].root, set()).add("not_refractory")
        return observed

    def _write_guard(self, target: str):
        """``(side, flag name)`` when writing ``target`` from synaptic code must
        leave refractory neurons alone: a variable of a neuron group flagged
        ``(unless refractory)`` in a group with refractoriness (Brian2 writes
        such variables only where ``not_refractory`` holds, except in the
        group's own reset and state update); else None."""
        found = self._neuron_variable(target)
        if found is None:
            return None
        side, var = found
        eq = side.root.equations.get(var)
        if (eq is None or "unless refractory" not in eq.flags
                or "not_refractory" not in side.root._columns):
            return None
        suffix = "_pre" if side is self._pre_side and target.endswith("_pre") else "_post"
        return side, "not_refractory" + suffix

    def _sides(self, run):
        pre = (self._pre_side.root._engine_group(run), self._pre_side.start, self._pre_side.n)
        post = (self._post_side.root._engine_group(run), self._post_side.start,
                self._post_side.n)
        return pre, post

    def _engine_group(self, run) -> int:
        if run.has_group(self):
            return run.group_index(self)
        return run.group(self, self.N, self._engine_columns(run), self._rng.get())

    def _contribute(self, run) -> None:
        namespace = self.namespace if self.namespace is not None else run.namespace
        self._check_cache(namespace)
        # the engine holds the columns and indices until the run ends
        self._in_run = True
        run.after_run(lambda: setattr(self, "_in_run", False))
        g = self._engine_group(run)
        pre, post = self._sides(run)
        name = self.name

        def pathway(compiled, trigger=None, queue=None):
            program, bindings, accumulate = compiled
            return run.pathway((g, pre, post, self._pre, self._post, program, bindings,
                                trigger, queue, accumulate))

        if self._clock_driven:
            compiled = self._cached("clock", lambda: self._clock_driven_program(namespace))
            if compiled[0] == "update":
                # only synaptic variables: an update of the synapses' own columns
                run.add(Operation(f"{name}_stateupdater", "update", self.clock, self.when,
                                  self.order, g, 0, compiled[1], self, "StateUpdater"))
            else:
                operation = Operation(f"{name}_stateupdater", "synaptic", self.clock,
                                      self.when, self.order, pathway(compiled[1]), owner=self,
                                      type_name="StateUpdater")
                operation.prelude = self._host_prelude(run, "clock", namespace, operation)
                run.add(operation)
        for var in self._summed:
            self._add_summed(run, var, namespace, pathway)
        for key, (role, _, _) in self._statements.items():
            side = self._pre_side if role == "pre" else self._post_side
            trigger_group = pre[0] if role == "pre" else post[0]
            queue = self._prepared_queue(key)
            compiled = self._cached(("pathway", key), lambda: self._pathway_program(
                key, namespace))
            trigger = (trigger_group, side.root._event_index(self._events[key]), side.start,
                       side.start + side.n)
            operation = Operation(f"{name}_{key}", "propagate", side.root.clock, "synapses",
                                  -1 if role == "pre" else 1,
                                  pathway(compiled, trigger, queue), owner=self,
                                  type_name="SynapticPathway")
            operation.prelude = self._host_prelude(run, f"pathway_{key}", namespace, operation)
            run.add(operation)

    # -- compiling ------------------------------------------------------------

    def _prepared_queue(self, key: str):
        """The spike queue of pathway ``key``, with the rows of the synapses
        as they are and their delays (set before every run: delays may have
        been written; rounded to steps as Brian2 does, to the nearest with
        ties to even)."""
        from nerve import _core

        role = self._statements[key][0]
        side = self._pre_side if role == "pre" else self._post_side
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _core.SpikeQueue()
        rows = (self._connectivity, side.n)
        if self._queue_rows.get(key) != rows:  # the rows change with connect()
            queue.set_rows(self._pre if role == "pre" else self._post, side.n)
            self._queue_rows[key] = rows
        column = self._delay_columns.get(key)
        queue.set_delays(self._columns[column] if column is not None and self.N
                         else np.zeros(1), side.root.clock.dt_)
        return queue

    def _check_cache(self, namespace) -> None:
        """Forget the compiled programs when a value they use has changed
        (programs do not depend on dt, N or the connectivity)."""
        from nerve.equations import statement_temporaries

        resolver = self._resolver(namespace, f"Synapses {self.name!r}")[0]
        names = set()
        for _, _, stmts in self._statements.values():
            # (a block's temporaries are not external names)
            names.update(set(free_names(*stmts)) - statement_temporaries(
                stmts, resolver.variables))
        names.update(free_names(*[eq.expr for eq in self.equations.values()
                                  if eq.expr is not None]))
        nodes_ = [stmt for _, _, stmts in self._statements.values() for stmt in stmts]
        nodes_ += [eq.expr for eq in self.equations.values() if eq.expr is not None]
        key = (tuple(sorted(resolver.constants(sorted(names), missing_ok=True).items())),
               self.method, tuple(sorted((name_, f.key())
                                         for name_, f in resolver.functions(nodes_).items())))
        if self.__dict__.get("_cache_key") != key:
            self._cache_key = key
            self._cache = {}

    def _cached(self, what, build):
        if what not in self._cache:
            self._cache[what] = build()
        return self._cache[what]

    def _prepared(self, statements):
        """Statements with the synaptic and the neurons' subexpressions
        substituted and unsuffixed postsynaptic names renamed."""
        statements = tuple(self._expand_neuron_subexpressions(
            substitute(s, self._expanded_subexprs)) for s in statements)
        return self._rename(statements)

    def _neuron_subexpression(self, name: str):
        """``(side, subexpression, suffix)`` for ``x_pre``/``x_post``/an
        unsuffixed ``x`` naming a subexpression of a neuron group, else None."""
        if name in self._columns or name in self._subexpressions:
            return None
        for suffix, side in (("_pre", self._pre_side), ("_post", self._post_side)):
            if name.endswith(suffix) and name[:-len(suffix)] in side.root._subexpressions:
                return side, name[:-len(suffix)], suffix
        if name in self._post_side.root._subexpressions:
            return self._post_side, name, "_post"
        return None

    def _expand_neuron_subexpressions(self, node):
        """``node`` with subexpressions of the neuron groups replaced by their
        definitions, written with the synapse's names (``x_post``, ``j``)."""
        mapping = {}
        for name_ in free_names(node):
            found = self._neuron_subexpression(name_)
            if found is None:
                continue
            side, var, suffix = found
            expr = side.root._expanded_subexpressions()[var]
            if isinstance(side.root, SynapticCode):
                self._check_synaptic_subexpression(side.root, var, expr)
            rename = {}
            for inner in free_names(expr):
                if inner in side.root._columns:
                    rename[inner] = n.Name(inner + suffix)
                elif inner == "i":
                    index = n.Name("i" if suffix == "_pre" else "j")
                    rename[inner] = (n.BinOp("+", index, n.Number(float(side.start)))
                                     if side.start else index)
                elif inner == "N":
                    rename[inner] = n.Number(float(side.root.N))
            mapping[name_] = substitute(expr, rename)
        return substitute(node, mapping) if mapping else node

    def _check_synaptic_subexpression(self, root, var: str, expr) -> None:
        """A subexpression of a Synapses side read here may only use that
        Synapses' own variables (its i, j, x_pre... would need a second
        indirection)."""
        for inner in free_names(expr):
            if inner not in root._columns and root._kind(inner) is not None:
                from nerve.exceptions import NotSupportedError

                raise NotSupportedError(
                    f"Synapses {self.name!r} reads the subexpression '{var}' of Synapses "
                    f"{root.name!r}, which uses '{inner}' (not a variable of its synapses); "
                    f"give {root.name!r} a parameter holding it instead")

    def _rename(self, statements):
        """Unsuffixed postsynaptic variables renamed ``x_post`` (Brian2's
        resolution: synaptic variables first, then the postsynaptic group)."""
        mapping, out = {}, []
        assigned_temps = set()
        for stmt in statements:
            for name_ in free_names(stmt):
                if (name_ not in mapping and name_ not in assigned_temps
                        and name_ in self._post_side.root._columns
                        and self._neuron_variable(name_) is not None):
                    mapping[name_] = n.Name(name_ + "_post")
            target = stmt.target
            if target in mapping:
                target = mapping[target].id
            elif (target not in self._columns and self._neuron_variable(target) is None
                  and target not in ("i", "j")):
                assigned_temps.add(target)
            out.append(replace(substitute(stmt, mapping), target=target))
        return tuple(out)

    def _program(self, statements, namespace, where: str, source: str | None,
                 check: bool = True, outputs=None):
        """Lower synaptic statements; returns ``(program, bindings, accumulate)``.
        ``outputs`` maps names the statements assign to extra synaptic
        columns of the engine group (see ``recording.py``)."""
        outputs = outputs or {}
        from nerve import _core
        from nerve.equations import check_statements
        from nerve.ir.encode import encode
        from nerve.ir.lower import lower

        statements = self._prepared(statements)
        resolver = self._resolver(namespace, f"Synapses {self.name!r}")[0]
        if check:
            check_statements(statements, resolver.reading(source, where).dimension,
                             source=source, where=where, booleans=self._booleans(),
                             variables=resolver.variables)
        statements = self._guarded(statements)
        statements, accumulated = self._accumulations(statements)
        targets = {s.target for s in statements}
        count_slots = self._count_slots()
        slots, bindings, accumulate = {}, [], []
        for name_ in free_names(*statements):
            if name_ in accumulated:
                side_name, column = accumulated[name_]
                accumulate.append((len(bindings), side_name, column))
                slots[name_] = len(bindings)
                bindings.append(("output", 0, False))
                continue
            if name_ in self._columns:
                binding = ("synaptic", self._slots[name_])
            elif name_ in outputs:
                binding = ("synaptic", outputs[name_])
            elif name_ in count_slots:
                binding = ("synaptic", count_slots[name_])
                self._counts_read()
            elif name_ == "i":
                binding = ("pre_index", 0)
            elif name_ == "j":
                binding = ("post_index", 0)
            else:
                found = self._neuron_variable(name_)
                if found is None:
                    continue
                side, var = found
                binding = ("pre" if side is self._pre_side and name_.endswith("_pre")
                           else "post", side.root._slots[var])
            if name_ in targets and name_ in self._shared:
                raise ModelDefinitionError(
                    f"{where} assigns to '{name_}', a (shared) variable (one value for all "
                    f"synapses), which synaptic code cannot write synapse by synapse")
            if name_ in targets and name_ in ("i", "j"):
                raise ModelDefinitionError(
                    f"{where} assigns to '{name_}', the index of a neuron, which is read-only")
            if name_ in targets and name_ in count_slots:
                raise ModelDefinitionError(
                    f"{where} assigns to '{name_}', a number of synapses, which is read-only")
            slots[name_] = len(bindings)
            bindings.append((*binding, name_ in targets))
        temporaries = targets - set(slots)
        constants = resolver.constants([u for u in free_names(*statements)
                                        if u not in slots and u not in temporaries])
        lowered = lower(statements, columns=slots, constants=constants,
                        functions=resolver.functions(statements), dt=self.clock.dt_)
        program = _core.Program(encode(lowered), list(lowered.tables))
        return program, bindings, accumulate

    def _guarded(self, statements):
        """Writes to ``(unless refractory)`` neuron variables made conditional
        on the neuron's ``not_refractory`` (see ``_write_guard``):
        ``x += e`` becomes ``x += where(flag, e, 0)`` (still an accumulation),
        ``x = e`` becomes ``x = where(flag, e, x)``."""
        out = []
        for stmt in statements:
            guard = self._write_guard(stmt.target)
            if guard is None:
                out.append(stmt)
                continue
            flag = n.Name(guard[1])
            if stmt.op in ("+=", "-="):
                value = n.Call("where", (flag, stmt.value, n.Number(0.0)))
                out.append(replace(stmt, value=value))
            else:
                if stmt.op != "=":
                    value = n.BinOp(stmt.op[:-1], n.Name(stmt.target), stmt.value)
                else:
                    value = stmt.value
                value = n.Call("where", (flag, value, n.Name(stmt.target)))
                out.append(replace(stmt, op="=", value=value))
        return tuple(out)

    def _accumulations(self, statements):
        """``x_post += expr`` (or ``-=``) as an increment the engine adds into
        ``x`` synapse by synapse, when every write of a neuron variable is of
        this form, each to a different variable, and no statement reads one
        of them: the same additions in the same order as the general path
        (which gathers ``x`` and ends a segment at every repeated neuron).
        Returns the statements (increments assigned to ``_nerve_acc<k>``) and
        ``{name: (side, column)}`` of the increments."""
        writes = [s for s in statements if self._neuron_variable(s.target) is not None]
        if not writes or any(s.op not in ("+=", "-=") for s in writes):
            return statements, {}
        keys = {}
        for s in writes:
            side, var = self._neuron_variable(s.target)
            key = (id(side.root), var)
            if key in keys:
                return statements, {}
            keys[key] = s
        for s in statements:
            for name_ in free_names(s.value):
                found = self._neuron_variable(name_)
                if found is not None and (id(found[0].root), found[1]) in keys:
                    return statements, {}
        out, accumulated = [], {}
        for s in statements:
            if s in writes:
                side, var = self._neuron_variable(s.target)
                name_ = f"_nerve_acc{len(accumulated)}"
                side_name = "pre" if side is self._pre_side and s.target.endswith("_pre") \
                    else "post"
                accumulated[name_] = (side_name, side.root._slots[var])
                value = s.value if s.op == "+=" else n.UnaryOp("-", s.value, s.span)
                out.append(n.Assign(name_, "=", value, s.span))
            else:
                out.append(s)
        return tuple(out), accumulated

    def _event_driven_statements(self):
        """Advance the event-driven variables from ``lastupdate`` to ``t``."""
        if not self._event_driven:
            return ()
        from nerve.integrators import DiffEquation, integrate

        diff = [DiffEquation(name_, substitute(self.equations[name_].expr,
                                               self._expanded_subexprs))
                for name_ in self._event_driven]
        try:
            _, statements = integrate(diff, "exact", owner=self.name)
        except Exception as error:
            raise ModelDefinitionError(
                f"the (event-driven) equations of Synapses {self.name!r} cannot be solved "
                f"exactly ({error}); use (clock-driven) instead") from None
        elapsed = n.BinOp("-", n.Name("t"), n.Name("lastupdate"))
        return tuple(substitute(s, {"dt": elapsed}) for s in statements)

    def _pathway_program(self, key: str, namespace):
        role, text, user = self._statements[key]
        where = (f"on_{role} of Synapses {self.name!r}" if key == role else
                 f"on_{role}[{key!r}] of Synapses {self.name!r}")
        # units of the user's statements first (their own text in messages)
        resolver = self._resolver(namespace, where)[0]
        from nerve.equations import check_statements

        # subexpressions (the synapses' and the neurons') cannot be assigned
        read_only = {stmt.target for stmt in user if stmt.target in self._subexpressions
                     or self._neuron_subexpression(stmt.target) is not None}
        check_statements(self._prepared(user), resolver.reading(text, where).dimension,
                         source=text, where=where, booleans=self._booleans(),
                         read_only=read_only, variables=resolver.variables)
        rewritten = self._host_rewritten(f"pathway_{key}")
        if rewritten is not None:  # (calls of Python functions: scratch columns)
            return self._program(rewritten, namespace, where, text, check=False,
                                 outputs=self._host_outputs())
        return self._program(self._pathway_statements(key), namespace, where, text,
                             check=False)

    def _pathway_statements(self, key: str) -> list:
        statements = list(self._event_driven_statements()) + list(self._statements[key][2])
        if self._event_driven:
            statements.append(n.Assign("lastupdate", "=", n.Name("t")))
        return statements

    def _clock_statements(self, namespace) -> list:
        """The integrated clock-driven equations (checked)."""
        from nerve.integrators import DiffEquation, integrate

        where = f"the equations of Synapses {self.name!r}"
        resolver = self._resolver(namespace, where)[0]
        self.equations.check_units(resolver.reading(self.equations.text, where).dimension)
        diff = [DiffEquation(name_, substitute(self.equations[name_].expr,
                                               self._expanded_subexprs))
                for name_ in self._clock_driven]
        method, statements = integrate(diff, self.method, owner=self.name)
        self.method_chosen = method
        for s in statements:
            found = self._neuron_variable(s.target)
            if found is not None:
                raise ModelDefinitionError(
                    f"the clock-driven equations of Synapses {self.name!r} would write "
                    f"'{s.target}', a variable of a neuron group")
        return statements

    def _clock_driven_program(self, namespace):
        where = f"the equations of Synapses {self.name!r}"
        resolver = self._resolver(namespace, where)[0]
        rewritten = self._host_rewritten("clock")
        if rewritten is not None:  # (calls of Python functions: scratch columns)
            return "synaptic", self._program(rewritten, namespace, where, None, check=False,
                                             outputs=self._host_outputs())
        statements = self._clock_statements(namespace)
        compiled = self._program(statements, namespace, where, None, check=False)
        if any(kind != "synaptic" for kind, _, _ in compiled[1]):
            return "synaptic", compiled
        # nothing read through the synapses' indices: run in place over the
        # synapses' columns, chunk by chunk (and on several threads)
        from nerve import _core
        from nerve.ir.encode import encode
        from nerve.ir.lower import lower

        statements = self._prepared(statements)
        targets = {st.target for st in statements}
        used = free_names(*statements)
        slots = {**self._slots, **self._count_slots()}
        if any(name_ in used for name_ in self._count_slots()):
            self._counts_read()
        constants = resolver.constants([u for u in used if u not in slots
                                        and u not in targets])
        lowered = lower(statements, columns=slots, constants=constants,
                        functions=resolver.functions(statements), dt=self.clock.dt_)
        return "update", _core.Program(encode(lowered), list(lowered.tables))

    def _add_summed(self, run, var: str, namespace, pathway) -> None:
        """``x_post = expr (summed)``: zero ``x`` on the target's neurons,
        then add ``expr`` of every synapse into its neuron."""
        from nerve import _core
        from nerve.equations import check_expression
        from nerve.ir.encode import encode
        from nerve.ir.lower import lower

        eq = self.equations[var]
        base, suffix = var.rsplit("_", 1)
        side = self._post_side if suffix == "post" else self._pre_side
        root = side.root
        # each summed variable zeroes its target first: two would overwrite
        # each other (Brian2 refuses too)
        targets = run.__dict__.setdefault("_nerve_summed_targets", {})
        other = targets.setdefault((id(root), base), self.name)
        if other != self.name:
            from nerve.exceptions import NotSupportedError

            raise NotSupportedError(
                f"two (summed) variables target '{base}' of {root.name!r} (in Synapses "
                f"{other!r} and {self.name!r}): give {root.name!r} one parameter per "
                f"Synapses and add them in its equations")
        where = f"the (summed) variable {var!r} of Synapses {self.name!r}"
        resolver = self._resolver(namespace, where)[0]
        expr = substitute(eq.expr, self._expanded_subexprs)
        check_expression(expr, resolver.reading(self.equations.text, where).dimension,
                         root._dims[base], where=where, booleans=self._booleans())
        if eq.dim is not root._dims[base]:
            from nerve.exceptions import DimensionMismatchError
            from nerve.units import format_dimension

            raise DimensionMismatchError(
                f"{where} has units of {format_dimension(eq.dim)}, but '{base}' of "
                f"{root.name!r} has units of {format_dimension(root._dims[base])}")
        zero = n.Number(0.0)
        if side.start != 0 or side.n != root.N:
            inside = n.BoolOp("and", n.Compare(">=", n.Name("i"), n.Number(float(side.start))),
                              n.Compare("<", n.Name("i"), n.Number(float(side.start + side.n))))
            zero = n.Call("where", (inside, zero, n.Name(base)))
        program = _core.Program(encode(lower((n.Assign(base, "=", zero),),
                                             columns=root._slots, constants={})))
        name = f"{self.name}_summed_variable_{var}"
        run.add(Operation(name, "update", root.clock, "groups", root.order - 1,
                          root._engine_group(run), 0, program, self, "SummedVariableUpdater",
                          listed=False))
        add = (n.Assign(base + "_" + suffix, "+=", eq.expr),)
        rewritten = self._host_rewritten(f"summed_{var}")
        outputs = None
        if rewritten is not None:  # (calls of Python functions: scratch columns)
            add, outputs = tuple(rewritten), self._host_outputs()
        compiled = self._cached(("summed", var), lambda: self._program(
            add, namespace, where, None, check=False, outputs=outputs))
        operation = Operation(name, "synaptic", root.clock, "groups", root.order - 1,
                              pathway(compiled), owner=self,
                              type_name="SummedVariableUpdater")
        operation.prelude = self._host_prelude(run, f"summed_{var}", namespace, operation)
        run.add(operation)
