"""Brian2's tutorial "Introduction to Brian part 1: Neurons", run with nerve.

Every code cell of the tutorial runs here in order, in one namespace as in a
notebook, with only the import line changed to ``from nerve import *``. A cell
whose last line is an expression prints that value (as a notebook would show
it); cells that the tutorial shows failing print the error they raise; each
figure is saved as a PNG in ``out/tutorial_1/`` (or the directory given as the
first argument). The cell sources are the tutorial's (the specification of
nerve's first scope); the runner around them is nerve's.
"""

from __future__ import annotations

import ast
import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

CELLS = [
    ("import", "from nerve import *"),
    ("units_volt", "20*volt"),
    ("units_amp", "1000*amp"),
    ("units_megavolt", "1e6*volt"),
    ("units_namp", "1000*namp"),
    ("units_combined", "10*nA*5*Mohm"),
    ("units_mismatch_error", "5*amp+10*volt"),
    ("simple_model_eqs", """\
tau = 10*ms
eqs = '''
dv/dt = (1-v)/tau : 1
'''"""),
    ("simple_model_group", "G = NeuronGroup(1, eqs)"),
    ("inconsistent_eqs_error", """\
eqs = '''
dv/dt = 1-v : 1
'''
G = NeuronGroup(1, eqs)
run(100*ms)"""),
    ("simple_model_run", """\
start_scope()

tau = 10*ms
eqs = '''
dv/dt = (1-v)/tau : 1
'''

G = NeuronGroup(1, eqs)
run(100*ms)"""),
    ("before_after_v", """\
start_scope()

G = NeuronGroup(1, eqs, method='exact')
print('Before v = %s' % G.v[0])
run(100*ms)
print('After v = %s' % G.v[0])"""),
    ("expected_v", "print('Expected value of v = %s' % (1-exp(-100*ms/tau)))"),
    ("plot_v", """\
start_scope()

G = NeuronGroup(1, eqs, method='exact')
M = StateMonitor(G, 'v', record=True)

run(30*ms)

plot(M.t/ms, M.v[0])
xlabel('Time (ms)')
ylabel('v');"""),
    ("plot_v_vs_analytic", """\
start_scope()

G = NeuronGroup(1, eqs, method='exact')
M = StateMonitor(G, 'v', record=0)

run(30*ms)

plot(M.t/ms, M.v[0], 'C0', label='Brian')
plot(M.t/ms, 1-exp(-M.t/tau), 'C1--',label='Analytic')
xlabel('Time (ms)')
ylabel('v')
legend();"""),
    ("sine_drive_euler", """\
start_scope()

tau = 10*ms
eqs = '''
dv/dt = (sin(2*pi*100*Hz*t)-v)/tau : 1
'''

# Change to Euler method because exact integrator doesn't work here
G = NeuronGroup(1, eqs, method='euler')
M = StateMonitor(G, 'v', record=0)

G.v = 5 # initial value

run(60*ms)

plot(M.t/ms, M.v[0])
xlabel('Time (ms)')
ylabel('v');"""),
    ("threshold_reset_trace", """\
start_scope()

tau = 10*ms
eqs = '''
dv/dt = (1-v)/tau : 1
'''

G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0', method='exact')

M = StateMonitor(G, 'v', record=0)
run(50*ms)
plot(M.t/ms, M.v[0])
xlabel('Time (ms)')
ylabel('v');"""),
    ("spike_times", """\
start_scope()

G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0', method='exact')

spikemon = SpikeMonitor(G)

run(50*ms)

print('Spike times: %s' % spikemon.t[:])"""),
    ("spikes_on_trace", """\
start_scope()

G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0', method='exact')

statemon = StateMonitor(G, 'v', record=0)
spikemon = SpikeMonitor(G)

run(50*ms)

plot(statemon.t/ms, statemon.v[0])
for t in spikemon.t:
    axvline(t/ms, ls='--', c='C1', lw=3)
xlabel('Time (ms)')
ylabel('v');"""),
    ("refractory_unless", """\
start_scope()

tau = 10*ms
eqs = '''
dv/dt = (1-v)/tau : 1 (unless refractory)
'''

G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0', refractory=5*ms, method='exact')

statemon = StateMonitor(G, 'v', record=0)
spikemon = SpikeMonitor(G)

run(50*ms)

plot(statemon.t/ms, statemon.v[0])
for t in spikemon.t:
    axvline(t/ms, ls='--', c='C1', lw=3)
xlabel('Time (ms)')
ylabel('v');"""),
    ("refractory_without_unless", """\
start_scope()

tau = 5*ms
eqs = '''
dv/dt = (1-v)/tau : 1
'''

G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0', refractory=15*ms, method='exact')

statemon = StateMonitor(G, 'v', record=0)
spikemon = SpikeMonitor(G)

run(50*ms)

plot(statemon.t/ms, statemon.v[0])
for t in spikemon.t:
    axvline(t/ms, ls='--', c='C1', lw=3)
axhline(0.8, ls=':', c='C2', lw=3)
xlabel('Time (ms)')
ylabel('v')
print("Spike times: %s" % spikemon.t[:])"""),
    ("multiple_neurons_raster", """\
start_scope()

N = 100
tau = 10*ms
eqs = '''
dv/dt = (2-v)/tau : 1
'''

G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', method='exact')
G.v = 'rand()'

spikemon = SpikeMonitor(G)

run(50*ms)

plot(spikemon.t/ms, spikemon.i, '.k')
xlabel('Time (ms)')
ylabel('Neuron index');"""),
    ("parameters_if_curve", """\
start_scope()

N = 100
tau = 10*ms
v0_max = 3.
duration = 1000*ms

eqs = '''
dv/dt = (v0-v)/tau : 1 (unless refractory)
v0 : 1
'''

G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', refractory=5*ms, method='exact')
M = SpikeMonitor(G)

G.v0 = 'i*v0_max/(N-1)'

run(duration)

figure(figsize=(12,4))
subplot(121)
plot(M.t/ms, M.i, '.k')
xlabel('Time (ms)')
ylabel('Neuron index')
subplot(122)
plot(G.v0, M.count/duration)
xlabel('v0')
ylabel('Firing rate (sp/s)');"""),
    ("stochastic_if_curve", """\
start_scope()

N = 100
tau = 10*ms
v0_max = 3.
duration = 1000*ms
sigma = 0.2

eqs = '''
dv/dt = (v0-v)/tau+sigma*xi*tau**-0.5 : 1 (unless refractory)
v0 : 1
'''

G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', refractory=5*ms, method='euler')
M = SpikeMonitor(G)

G.v0 = 'i*v0_max/(N-1)'

run(duration)

figure(figsize=(12,4))
subplot(121)
plot(M.t/ms, M.i, '.k')
xlabel('Time (ms)')
ylabel('Neuron index')
subplot(122)
plot(G.v0, M.count/duration)
xlabel('v0')
ylabel('Firing rate (sp/s)');"""),
    ("end_adaptive_threshold", """\
start_scope()

N = 1000
tau = 10*ms
vr = -70*mV
vt0 = -50*mV
delta_vt0 = 5*mV
tau_t = 100*ms
sigma = 0.5*(vt0-vr)
v_drive = 2*(vt0-vr)
duration = 100*ms

eqs = '''
dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
dvt/dt = (vt0-vt)/tau_t : volt
'''

reset = '''
v = vr
vt += delta_vt0
'''

G = NeuronGroup(N, eqs, threshold='v>vt', reset=reset, refractory=5*ms, method='euler')
spikemon = SpikeMonitor(G)

G.v = 'rand()*(vt0-vr)+vr'
G.vt = vt0

run(duration)

_ = hist(spikemon.t/ms, 100, histtype='stepfilled', facecolor='k', weights=list(ones(len(spikemon))/(N*defaultclock.dt)))
xlabel('Time (ms)')
ylabel('Instantaneous firing rate (sp/s)');"""),
]

#: Cells the tutorial shows failing, and the error they must raise.
EXPECTED_ERRORS = {"units_mismatch_error": "DimensionMismatchError",
                   "inconsistent_eqs_error": "DimensionMismatchError"}


def run_cell(name: str, source: str, namespace: dict):
    """Execute one cell; return the value of a trailing expression (what a
    notebook would display), or None."""
    tree = ast.parse(source, filename=f"<cell {name}>")
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr) and not source.rstrip().endswith(";"):
        tree.body.pop()
        last = ast.Expression(final.value)
    exec(compile(tree, f"<cell {name}>", "exec"), namespace)
    if last is not None:
        return eval(compile(last, f"<cell {name}>", "eval"), namespace)
    return None


def main(out_dir: str = os.path.join("out", "tutorial_1"), cells=None,
         expected_errors=None) -> int:
    """Run ``cells`` (default: this tutorial's) in order; returns 1 if a cell
    raised an error not in ``expected_errors`` or failed to raise one."""
    import matplotlib.pyplot as plt

    cells = CELLS if cells is None else cells
    expected_errors = EXPECTED_ERRORS if expected_errors is None else expected_errors

    os.makedirs(out_dir, exist_ok=True)
    namespace: dict = {"__name__": "__tutorial__"}
    timings = []
    failures = 0
    began = time.perf_counter()
    for index, (name, source) in enumerate(cells):
        print(f"--- [{index}] {name}")
        start = time.perf_counter()
        try:
            value = run_cell(name, source, namespace)
            if value is not None:
                print(f"Out: {value!r}")
        except Exception as error:  # the tutorial's error cells land here
            kind = type(error).__name__
            print(f"{kind}: {error}")
            if name == "import":
                raise
            if expected_errors.get(name) != kind:
                failures += 1
                print(f"!!! cell {name} raised {kind}, which the tutorial does not expect")
        else:
            if name in expected_errors:
                failures += 1
                print(f"!!! cell {name} should have raised {expected_errors[name]}")
        timings.append((name, time.perf_counter() - start))
        numbers = plt.get_fignums()
        for k, number in enumerate(numbers):
            suffix = f"_{k + 1}" if len(numbers) > 1 else ""
            path = os.path.join(out_dir, f"{index:02d}_{name}{suffix}.png")
            plt.figure(number).savefig(path, dpi=80)
            print(f"(figure saved to {path})")
        plt.close("all")
    total = time.perf_counter() - began
    print("--- time per cell (s): " + ", ".join(f"{n}={t:.3f}" for n, t in timings))
    print(f"--- whole tutorial: {total:.2f} s; {failures} unexpected outcome(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
