"""Tables of a benchmark run, as aligned text (terminal) or markdown (results file)."""

from __future__ import annotations

import machine

LABELS = {"nerve": "nerve", "brian2-numpy": "Brian2 numpy", "brian2-cython": "Brian2 Cython",
          "brian2-cpp": "Brian2 C++ standalone", "c": "plain C"}
GOAL_C_RATIO = {1: 0.8, 2: 1.6}  # nerve / C at N >= 1e5, by thread count
GOAL_US_PER_STEP = 0.5           # at N = 1
GOAL_TTFR_S = 0.1                # after import, tutorial-sized model
STATE_COLUMNS = 4                # v, v0 or vt, lastspike, not_refractory (8 bytes each)
BYTES_PER_SPIKE = 12             # int32 index + 8-byte time or step


def label(sim: str) -> str:
    if sim.startswith("nerve-"):
        return f"nerve, {sim.split('-')[1][:-1]} threads"
    return LABELS.get(sim, sim)


def _n(n: int) -> str:
    return f"1e{len(str(n)) - 1}" if n >= 1000 and str(n).strip("0") == "1" else str(n)


def _num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "–"


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header))]
    line = lambda r: "  ".join(c.rjust(w) if k else c.ljust(w)  # noqa: E731
                               for k, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


class _Index:
    def __init__(self, results: dict):
        self.sims = results["config"]["sims"]
        self.models = results["config"]["models"]
        self.by = {(r["model"], r["N"], r["sim"]): r for r in results["records"]}
        self.sizes = sorted({r["N"] for r in results["records"]})
        self.errors = {(e.get("model"), e.get("N"), e.get("sim")) for e in results["errors"]}

    def get(self, model: str, n: int, sim: str, key: str):
        rec = self.by.get((model, n, sim))
        return rec.get(key) if rec else None

    def cell(self, model: str, n: int, sim: str, key: str, scale: float = 1.0) -> str:
        value = self.get(model, n, sim, key)
        if value is None:
            return "error" if (model, n, sim) in self.errors else "–"
        return _num(value * scale)


def throughput_table(ix: _Index, markdown: bool) -> str:
    nerves = [s for s in ix.sims if s.startswith("nerve")]
    others = [s for s in ix.sims if not s.startswith("nerve")]
    header = ["model", "N"] + [label(s) for s in ix.sims]
    header += [f"{label(a)} / {label(b)}" for a in nerves[:1] for b in others]
    header += [f"{label(a)} / plain C" for a in nerves[1:] if "c" in others]
    rows = []
    for model in ix.models:
        for n in ix.sizes:
            row = [model, _n(n)] + [ix.cell(model, n, s, "nsps", 1e-6) for s in ix.sims]
            base = [ix.get(model, n, s, "nsps") for s in nerves]
            row += [_ratio(base[0], ix.get(model, n, b, "nsps")) for b in others] if base else []
            row += [_ratio(ix.get(model, n, a, "nsps"), ix.get(model, n, "c", "nsps"))
                    for a in nerves[1:] if "c" in others]
            rows.append(row)
    return table(header, rows, markdown)


def step_table(ix: _Index, markdown: bool) -> str:
    sizes = [n for n in ix.sizes if n <= 1000]
    header = ["model", "N"] + [label(s) for s in ix.sims]
    rows = []
    for model in ix.models:
        for n in sizes:
            cells = []
            for s in ix.sims:
                marg = ix.get(model, n, s, "us_per_step_marginal")
                whole = ix.get(model, n, s, "us_per_step")
                if whole is None:
                    cells.append(ix.cell(model, n, s, "us_per_step"))
                elif marg is not None:
                    fixed = ix.get(model, n, s, "fixed_run_s")
                    cells.append(f"{_num(marg)} (+{_num(fixed * 1e3)} ms/run)")
                else:
                    cells.append(_num(whole))
            rows.append([model, _n(n)] + cells)
    return table(header, rows, markdown)


def ttfr_table(results: dict, ix: _Index, markdown: bool) -> str:
    by = {(t["model"], t["sim"]): t for t in results["ttfr"]}
    sims = [s for s in ix.sims if s != "c"]
    header = ["model (tutorial size)"] + [label(s) for s in sims]
    rows = []
    for model in ix.models:
        cells = []
        for s in sims:
            t = by.get((model, s))
            if t is None:
                cells.append("–")
                continue
            text = f"{_num(t['after_import_s'])} s (import {_num(t['import_s'])} s)"
            if "first_run_after_import_s" in t:
                text += f"; cold cache {_num(t['first_run_after_import_s'])} s"
            cells.append(text)
        rows.append([model] + cells)
    return table(header, rows, markdown)


def memory_table(results: dict, ix: _Index, markdown: bool) -> str:
    sizes = [n for n in ix.sizes if n >= 10_000] or ix.sizes
    nerves = [s for s in ix.sims if s.startswith("nerve")]
    header = ["model", "N"] + [f"{label(s)} MiB" for s in ix.sims]
    header += ["nerve / payload"] if nerves else []
    rows = []
    for model in ix.models:
        for n in sizes:
            row = [model, _n(n)] + [ix.cell(model, n, s, "mem_mib") for s in ix.sims]
            if nerves and n >= 10_000:  # below that the interpreter's noise dominates
                mem = ix.get(model, n, nerves[0], "mem_mib")
                spikes = ix.get(model, n, nerves[0], "num_spikes")
                payload = (8 * STATE_COLUMNS * n + BYTES_PER_SPIKE * (spikes or 0)) / 2**20
                row.append(_ratio(mem, payload))
            elif nerves:
                row.append("–")
            rows.append(row)
    return table(header, rows, markdown)


def synapse_table(ix: _Index, markdown: bool) -> str:
    """nerve's synapse memory against its payload (int32 i and j, one float64
    per synaptic variable), for the models with synapses."""
    rows = []
    for model in ix.models:
        for n in ix.sizes:
            for sim in [s for s in ix.sims if s.startswith("nerve")][:1]:
                held = ix.get(model, n, sim, "synapse_bytes")
                payload = ix.get(model, n, sim, "synapse_payload_bytes")
                count = ix.get(model, n, sim, "synapses")
                if held is None or not count:
                    continue
                rows.append([model, _n(n), f"{count:,}", _num(held / 2**20),
                             _num(payload / 2**20), _ratio(held, payload)])
    if not rows:
        return ""
    header = ["model", "N", "synapses", "held MiB", "payload MiB", "held / payload"]
    return table(header, rows, markdown)


def goals(ix: _Index, results: dict) -> list[str]:
    """One line per goal of the performance issue: met or missed, by how much."""
    out = []
    for sim in [s for s in ix.sims if s.startswith("nerve")]:
        threads = int(sim.split("-")[1][:-1]) if "-" in sim else 1
        goal = GOAL_C_RATIO.get(threads)
        for model in ix.models:
            for n in [n for n in ix.sizes if n >= 100_000]:
                a, c = ix.get(model, n, sim, "nsps"), ix.get(model, n, "c", "nsps")
                if goal and a and c:
                    mark = "met" if a / c >= goal else "MISSED"
                    out.append(f"{model} N={_n(n)} {label(sim)}: {a / c:.2f}x C "
                               f"(goal {goal}x) {mark}")
    for model in ix.models:
        us = ix.get(model, 1, "nerve", "us_per_step_marginal") or ix.get(model, 1, "nerve",
                                                                         "us_per_step")
        if us is not None:
            mark = "met" if us <= GOAL_US_PER_STEP else "MISSED"
            out.append(f"{model} N=1: {us:.3g} us/step (goal {GOAL_US_PER_STEP}) {mark}")
    for t in results["ttfr"]:
        if t["sim"] == "nerve":
            mark = "met" if t["after_import_s"] < GOAL_TTFR_S else "MISSED"
            out.append(f"{t['model']} first result {t['after_import_s']:.3f} s after import "
                       f"(goal < {GOAL_TTFR_S} s) {mark}")
    return out


def render(results: dict, markdown: bool) -> str:
    """Every table of ``results`` (the dict run.py writes as JSON)."""
    ix = _Index(results)
    info = results["machine"]
    h = "### " if markdown else "== "
    parts = [f"{'# ' if markdown else ''}nerve benchmarks, {results['date']}",
             f"Machine: {machine.one_line(info)}; load average at end "
             f"{info.get('load_average_end', ['?'])[0]}.",
             "Versions: " + ", ".join(f"{k} {info[k]}" for k in
                                      ("nerve", "python", "numpy", "brian2", "brian2_numpy",
                                       "cython", "g++", "cc") if info.get(k)) + ".",
             f"{h}Throughput during run() (M neuron-steps/s; higher is better)",
             "Each point is the best of the timed runs after a warm-up run; Brian2's "
             "numpy and Cython figures include its per-run() code generation.",
             throughput_table(ix, markdown),
             f"{h}Cost per time step at small N (us/step; in brackets the fixed cost of a "
             "run() call)",
             step_table(ix, markdown),
             f"{h}Time to first result (fresh process: build + run of the tutorial-sized "
             "model, after import)",
             ttfr_table(results, ix, markdown),
             f"{h}Peak memory above an idle import (MiB; C and C++ standalone: whole "
             "process; C++ standalone runs every size in one process, shown at the "
             "largest)",
             memory_table(results, ix, markdown)]
    synapses = synapse_table(ix, markdown)
    if synapses:
        parts += [f"{h}Synapse memory (nerve: variables, indices, spike queues' rows and "
                  "delays; payload: int32 i and j and one float64 per variable, delay "
                  "included)", synapses]
    lines = goals(ix, results)
    if lines:
        parts += [f"{h}Goals", "\n".join(("- " if markdown else "  ") + g for g in lines)]
    if results["errors"]:
        parts += [f"{h}Failures",
                  "\n".join(("- " if markdown else "  ") +
                            ", ".join(f"{k}={v}" for k, v in e.items() if k != "error")
                            + f": {e['error'][:160]}" for e in results["errors"])]
    parts.append(f"Suite time {results['elapsed_s']:.0f} s.")
    return "\n\n".join(parts) + "\n"
