"""The deterministic cells of Brian2's tutorial part 2 (Synapses), without
plotting, and what is recorded of each (an expression per key, evaluated in
the cell's namespace). Shared by make_tutorial2_reference.py (run under
Brian2) and tests/synapses/test_tutorial2.py (run under nerve)."""

_NEURONS = '''
eqs = \'\'\'
dv/dt = (I-v)/tau : 1
I : 1
tau : second
\'\'\'
'''

CELLS = {
    "simplest": _NEURONS + '''
G = NeuronGroup(2, eqs, threshold='v>1', reset='v = 0', method='exact')
G.I = [2, 0]
G.tau = [10, 100]*ms
S = Synapses(G, G, on_pre='v_post += 0.2')
S.connect(i=0, j=1)
M = StateMonitor(G, 'v', record=True)
run(100*ms)
''',
    "weight": _NEURONS + '''
G = NeuronGroup(3, eqs, threshold='v>1', reset='v = 0', method='exact')
G.I = [2, 0, 0]
G.tau = [10, 100, 100]*ms
S = Synapses(G, G, 'w : 1', on_pre='v_post += w')
S.connect(i=0, j=[1, 2])
S.w = 'j*0.2'
M = StateMonitor(G, 'v', record=True)
run(50*ms)
''',
    "delay": _NEURONS + '''
G = NeuronGroup(3, eqs, threshold='v>1', reset='v = 0', method='exact')
G.I = [2, 0, 0]
G.tau = [10, 100, 100]*ms
S = Synapses(G, G, 'w : 1', on_pre='v_post += w')
S.connect(i=0, j=[1, 2])
S.w = 'j*0.2'
S.delay = 'j*2*ms'
M = StateMonitor(G, 'v', record=True)
run(50*ms)
''',
    "neighbours": '''
N = 10
G = NeuronGroup(N, 'v:1')
S = Synapses(G, G)
S.connect(condition='abs(i-j)<4 and i!=j')
''',
    "generator": '''
N = 10
G = NeuronGroup(N, 'v:1')
S = Synapses(G, G)
S.connect(j='k for k in range(i-3, i+4) if i!=k', skip_if_invalid=True)
''',
    "one_to_one": '''
N = 10
G = NeuronGroup(N, 'v:1')
S = Synapses(G, G)
S.connect(j='i')
''',
    "distance": '''
N = 30
neuron_spacing = 50*umetre
width = N/4.0*neuron_spacing
G = NeuronGroup(N, 'x : metre')
G.x = 'i*neuron_spacing'
S = Synapses(G, G, 'w : 1')
S.connect(condition='i!=j')
S.w = 'exp(-(x_pre-x_post)**2/(2*width**2))'
''',
    "stdp_clock_driven": '''
taupre = taupost = 20*ms
wmax = 0.01
Apre = 0.01
Apost = -Apre*taupre/taupost*1.05
G = NeuronGroup(2, 'v:1', threshold='t>(1+i)*10*ms', refractory=100*ms)
S = Synapses(G, G,
             \'\'\'
             w : 1
             dapre/dt = -apre/taupre : 1 (clock-driven)
             dapost/dt = -apost/taupost : 1 (clock-driven)
             \'\'\',
             on_pre=\'\'\'
             v_post += w
             apre += Apre
             w = clip(w+apost, 0, wmax)
             \'\'\',
             on_post=\'\'\'
             apost += Apost
             w = clip(w+apre, 0, wmax)
             \'\'\', method='linear')
S.connect(i=0, j=1)
M = StateMonitor(S, ['w', 'apre', 'apost'], record=True)
run(30*ms)
''',
    "stdp_event_driven": '''
taupre = taupost = 20*ms
Apre = 0.01
Apost = -Apre*taupre/taupost*1.05
tmax = 50*ms
N = 100
G = NeuronGroup(N, 'tspike:second', threshold='t>tspike', refractory=100*ms)
H = NeuronGroup(N, 'tspike:second', threshold='t>tspike', refractory=100*ms)
G.tspike = 'i*tmax/(N-1)'
H.tspike = '(N-1-i)*tmax/(N-1)'
S = Synapses(G, H,
             \'\'\'
             w : 1
             dapre/dt = -apre/taupre : 1 (event-driven)
             dapost/dt = -apost/taupost : 1 (event-driven)
             \'\'\',
             on_pre=\'\'\'
             apre += Apre
             w = w+apost
             \'\'\',
             on_post=\'\'\'
             apost += Apost
             w = w+apre
             \'\'\')
S.connect(j='i')
run(tmax+1*ms)
''',
}

RECORD = {
    "simplest": {"t": "M.t/ms", "v": "M.v"},
    "weight": {"t": "M.t/ms", "v": "M.v"},
    "delay": {"t": "M.t/ms", "v": "M.v"},
    "neighbours": {"i": "S.i[:]", "j": "S.j[:]"},
    "generator": {"i": "S.i[:]", "j": "S.j[:]"},
    "one_to_one": {"i": "S.i[:]", "j": "S.j[:]"},
    "distance": {"i": "S.i[:]", "j": "S.j[:]", "w": "S.w[:]", "x_pre": "S.x_pre/um",
                 "x_post": "S.x_post/um"},
    "stdp_clock_driven": {"t": "M.t/ms", "w": "M.w", "apre": "M.apre", "apost": "M.apost"},
    "stdp_event_driven": {"dt_spike": "(H.tspike-G.tspike)/ms", "w": "S.w[:]",
                          "apre": "S.apre[:]", "apost": "S.apost[:]",
                          "lastupdate": "S.lastupdate/ms"},
}
