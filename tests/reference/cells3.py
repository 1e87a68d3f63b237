"""Cells of Brian2's tutorial part 3 (Simulations), without plotting, and
what is recorded of each (an expression per key, evaluated in the cell's
namespace). Shared by make_tutorial3_reference.py (run under Brian2) and
tests/inputs/test_tutorial3.py (run under nerve).

Each cell runs in a fresh namespace after ``start_scope()`` and
``seed(SEED)``: cells whose only randomness is numpy's (``rand()`` called
from Python) are then deterministic, as nerve's ``seed`` seeds numpy as
Brian2's does. ``INPUTS`` names cells that start from numbers recorded
under Brian2 (the Poisson spikes the SpikeGeneratorGroup cell replays):
the reference maker runs ``GENERATE[name]`` first and records them, the
test puts the recorded numbers in the namespace instead.
"""

SEED = 1

_HH_PARAMETERS = '''
area = 20000*umetre**2
Cm = 1*ufarad*cm**-2 * area
gl = 5e-5*siemens*cm**-2 * area
El = -65*mV
EK = -90*mV
ENa = 50*mV
g_na = 100*msiemens*cm**-2 * area
g_kd = 30*msiemens*cm**-2 * area
VT = -63*mV
'''

_HH_CHANNELS = '''
dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/
    (exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/
    (exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/
    (exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
'''

_HH = _HH_PARAMETERS + """
eqs_HH = '''
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
""" + _HH_CHANNELS + """I : amp
'''
group = NeuronGroup(1, eqs_HH,
                    threshold='v > -40*mV',
                    refractory='v > -40*mV',
                    method='exponential_euler')
group.v = El
statemon = StateMonitor(group, 'v', record=True)
spikemon = SpikeMonitor(group, variables='v')
"""

_SGG_PARAMETERS = '''
num_inputs = 100
input_rate = 10*Hz
weight = 0.1
tau_range = linspace(1, 10, 30)*ms
output_rates = []
'''

GENERATE = {
    "spike_generator": _SGG_PARAMETERS + '''
P = PoissonGroup(num_inputs, rates=input_rate)
MP = SpikeMonitor(P)
net = Network(P, MP)
net.run(1*second)
spikes_i = MP.i
spikes_t = MP.t
''',
}

#: what GENERATE records, and the names the cell finds them under
INPUTS = {"spike_generator": {"spikes_i": "array(MP.i)", "spikes_t": "array(MP.t)"}}

CELLS = {
    # the tutorial's fourth cell after its Poisson spikes were recorded
    "spike_generator": _SGG_PARAMETERS + """
spikes_t = spikes_t*second
SGG = SpikeGeneratorGroup(num_inputs, spikes_i, spikes_t)
eqs = '''
dv/dt = -v/tau : 1
'''
G = NeuronGroup(1, eqs, threshold='v>1', reset='v=0', method='exact')
S = Synapses(SGG, G, on_pre='v += weight')
S.connect()
M = SpikeMonitor(G)
net = Network(SGG, G, S, M)
net.store()
for tau in tau_range:
    net.restore()
    net.run(1*second)
    output_rates.append(M.num_spikes/second)
""",
    "hh_loop": _HH + '''
for l in range(5):
    group.I = rand()*50*nA
    run(10*ms)
''',
    "hh_network_operation": _HH + '''
@network_operation(dt=10*ms)
def change_I():
    group.I = rand()*50*nA
run(50*ms)
''',
    "sine": """
A = 2.5
f = 10*Hz
tau = 5*ms
eqs = '''
dv/dt = (I-v)/tau : 1
I = A*sin(2*pi*f*t) : 1
'''
G = NeuronGroup(1, eqs, threshold='v>1', reset='v=0', method='euler')
M = StateMonitor(G, variables=True, record=True)
run(200*ms)
""",
    "timed_array": """
A = 2.5
f = 10*Hz
tau = 5*ms
t_recorded = arange(int(200*ms/defaultclock.dt))*defaultclock.dt
I_recorded = TimedArray(A*sin(2*pi*f*t_recorded), dt=defaultclock.dt)
eqs = '''
dv/dt = (I-v)/tau : 1
I = I_recorded(t) : 1
'''
G = NeuronGroup(1, eqs, threshold='v>1', reset='v=0', method='exact')
M = StateMonitor(G, variables=True, record=True)
run(200*ms)
""",
    "timed_array_random": """
A = 2.5
f = 10*Hz
tau = 5*ms
num_samples = int(200*ms/defaultclock.dt)
I_arr = zeros(num_samples)
for _ in range(100):
    a = randint(num_samples)
    I_arr[a:a+100] = rand()
I_recorded = TimedArray(A*I_arr, dt=defaultclock.dt)
eqs = '''
dv/dt = (I-v)/tau : 1
I = I_recorded(t) : 1
'''
G = NeuronGroup(1, eqs, threshold='v>1', reset='v=0', method='exact')
M = StateMonitor(G, variables=True, record=True)
run(200*ms)
""",
}

RECORD = {
    "spike_generator": {"output_rates": "array(output_rates)", "G.v": "G.v[:]"},
    "hh_loop": {"v": "statemon.v[:]", "spike_t": "spikemon.t[:]",
                "spike_v": "spikemon.v[:]", "I": "group.I[:]"},
    "hh_network_operation": {"v": "statemon.v[:]", "spike_t": "spikemon.t[:]",
                             "spike_v": "spikemon.v[:]", "I": "group.I[:]"},
    "sine": {"v": "M.v[:]", "I": "M.I[:]", "t": "M.t[:]"},
    "timed_array": {"v": "M.v[:]", "I": "M.I[:]", "t": "M.t[:]"},
    "timed_array_random": {"v": "M.v[:]", "I": "M.I[:]"},
}

#: Random cells (engine random numbers): what is compared statistically.
#: Each is run REPEATS[name] times under Brian2, with seeds 1, 2, ...
STATISTICAL = {
    "multiple_runs": _SGG_PARAMETERS + """
for tau in tau_range:
    P = PoissonGroup(num_inputs, rates=input_rate)
    eqs = '''
    dv/dt = -v/tau : 1
    '''
    G = NeuronGroup(1, eqs, threshold='v>1', reset='v=0', method='exact')
    S = Synapses(P, G, on_pre='v += weight')
    S.connect()
    M = SpikeMonitor(G)
    run(1*second)
    output_rates.append(M.num_spikes/second)
""",
    "one_network": _SGG_PARAMETERS + """
num_tau = len(tau_range)
P = PoissonGroup(num_inputs, rates=input_rate)
eqs = '''
dv/dt = -v/tau : 1
tau : second
'''
G = NeuronGroup(num_tau, eqs, threshold='v>1', reset='v=0', method='exact')
G.tau = tau_range
S = Synapses(P, G, on_pre='v += weight')
S.connect()
M = SpikeMonitor(G)
run(1*second)
output_rates = M.count/second
""",
    "hh_run_regularly": _HH + '''
group.run_regularly('I = rand()*50*nA', dt=10*ms)
run(50*ms)
''',
}

STATISTICAL_RECORD = {
    "multiple_runs": {"output_rates": "array(output_rates)"},
    "one_network": {"output_rates": "array(output_rates)"},
    "hh_run_regularly": {"num_spikes": "spikemon.num_spikes"},
}

#: repetitions of each random cell under Brian2 (seeds 1..n); the loop of
#: 30 one-second runs takes Brian2 about a minute, so it runs twice
REPEATS = {"multiple_runs": 2, "one_network": 10, "hh_run_regularly": 10}
