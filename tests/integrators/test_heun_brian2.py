"""method='heun' gives Brian2's numbers: Brian2's heun is an Euler step of
the drift plus the Stratonovich (support-point) correction of the noise.

Reference numbers produced with Brian2 2.9.0 (/work/brian2-venv,
prefs.codegen.target = 'numpy', defaultclock.dt = 0.1*ms), by the scripts
quoted in each test."""

import numpy as np

from evaluate import equations, simulate
from nerve import Network, NeuronGroup, StateMonitor, ms, start_scope
from nerve.integrators import integrate

# Brian2:
#   G = NeuronGroup(1, '''dv/dt = (sin(2*pi*100*Hz*t) - v + w)/(10*ms) : 1
#                         dw/dt = (0.5*v**2 - w)/(20*ms) : 1''', method='heun')
#   G.v = 1; M = StateMonitor(G, ['v', 'w'], record=0); run(10*ms)
#   M.v[0][::10], M.w[0][::10], G.v[:], G.w[:]
BRIAN2_V = [1.0, 0.9321308442329673, 0.9206810942368557, 0.9315721325505216,
            0.9266904611118985, 0.8778255817889115, 0.776918478872338,
            0.6387138283342, 0.4947918667931139, 0.3812094702177934]
BRIAN2_W = [0.0, 0.02270147214142228, 0.04244029190096305, 0.06129972421044946,
            0.07953973589506382, 0.09584601511170594, 0.10826516033187417,
            0.11554587636272468, 0.11794547109949366, 0.11692526342383666]
BRIAN2_FINAL = (0.3244273833826131, 0.11421249964266952)


def test_deterministic_trace_equals_brian2():
    start_scope()
    G = NeuronGroup(1, """dv/dt = (sin(2*pi*100*Hz*t) - v + w)/(10*ms) : 1
                          dw/dt = (0.5*v**2 - w)/(20*ms) : 1""", method="heun")
    G.v = 1
    M = StateMonitor(G, ["v", "w"], record=0)
    Network(G, M).run(10 * ms)
    # 100 steps of the same arithmetic in another order: round-off only
    np.testing.assert_allclose(M.v[0][::10], BRIAN2_V, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(M.w[0][::10], BRIAN2_W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose([G.v[0], G.w[0]], BRIAN2_FINAL, rtol=1e-12)


def test_deterministic_heun_is_forward_euler():
    # Brian2's heun has no drift corrector: without noise it is Euler
    eqs = equations(v="(sin(omega*t) - v*v)/tau", w="v - w")
    constants = {"omega": 6.0, "tau": 0.3}
    initial = {"v": [0.2, 1.5], "w": [1.0, -1.0]}
    heun = simulate(integrate(eqs, "heun")[1], initial, constants, dt=0.01,
                    n_steps=50, n=2)
    euler = simulate(integrate(eqs, "euler")[1], initial, constants, dt=0.01,
                     n_steps=50, n=2)
    for x in "vw":
        np.testing.assert_allclose(heun[x], euler[x], rtol=1e-14)


# Brian2 (PYTHONHASHSEED=1, so that its statements draw xi_1 before xi_2,
# the order nerve draws in; Brian2's numpy target draws randn(N) per noise
# symbol per step from numpy's global generator):
#   seed(1)
#   G = NeuronGroup(3, '''dv/dt = -v/(10*ms) + (0.5 + 0.3*w)*xi_1/sqrt(10*ms)
#                                 + 0.2*xi_2/sqrt(10*ms) : 1
#                         dw/dt = (1 - w)/(20*ms) + 0.4*v*w*xi_1/sqrt(10*ms) : 1''',
#                   method='heun')
#   G.v = [0.1, 0.5, -0.3]; G.w = [1.0, 0.5, 2.0]; run(2*ms); G.v[:], G.w[:]
BRIAN2_STOCHASTIC_V = [0.21413212034973986, 0.7716649126982915, -0.22898055640484474]
BRIAN2_STOCHASTIC_W = [1.0268291224671544, 0.6154514831622483, 1.8779188070512713]


def test_multiplicative_noise_with_brian2s_random_numbers():
    eqs = equations(v="-v/tau + (0.5 + 0.3*w)*xi_1/sqrt(tau) + 0.2*xi_2/sqrt(tau)",
                    w="(1 - w)/(2*tau) + 0.4*v*w*xi_1/sqrt(tau)")
    _, statements = integrate(eqs, "heun")
    draws = [s.target for s in statements if getattr(s.value, "func", None) == "randn"]
    assert draws == ["_xi_1", "_xi_2"]
    generator = np.random.RandomState(1)   # what Brian2's seed(1) sets
    state = simulate(statements, {"v": [0.1, 0.5, -0.3], "w": [1.0, 0.5, 2.0]},
                     {"tau": 0.01}, dt=1e-4, n_steps=20, n=3,
                     noise=lambda target, n: generator.randn(n))
    # the same random numbers through the same update: round-off only
    np.testing.assert_allclose(state["v"], BRIAN2_STOCHASTIC_V, rtol=1e-12)
    np.testing.assert_allclose(state["w"], BRIAN2_STOCHASTIC_W, rtol=1e-12)


def test_one_step_algebra_on_fixed_draws():
    # dx = f dt + (g(x) + g(x + g(x) dW))/2 dW for dx/dt = f + g(x)*xi
    eqs = equations(X="mu*X + s*X*X*xi")
    _, statements = integrate(eqs, "heun")
    mu, s, dt, x0, z = -3.0, 0.7, 0.01, np.array([0.5, -1.2]), np.array([1.3, -0.4])
    out = simulate(statements, {"X": x0}, {"mu": mu, "s": s}, dt=dt, n_steps=1, n=2,
                   noise=lambda target, n: z)["X"]
    dw = np.sqrt(dt) * z
    g = lambda x: s * x * x
    expected = x0 + mu * x0 * dt + (g(x0) + g(x0 + g(x0) * dw)) / 2 * dw
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def test_additive_noise_statistics_through_the_engine():
    """Ornstein-Uhlenbeck with Brian2's heun: for additive noise the step is
    v' = (1 - dt/tau)*v + sigma*sqrt(2*dt/tau)*z (Euler-Maruyama), whose
    stationary variance is b**2/(1 - a**2); 5 standard errors."""
    from nerve import seed

    start_scope()
    seed(9)
    tau, sigma, dt, n = 10e-3, 1.5, 1e-4, 20000
    G = NeuronGroup(n, "dv/dt = -v/tau + sigma*sqrt(2/tau)*xi : 1", method="heun",
                    namespace={"tau": tau * 1000 * ms, "sigma": sigma})
    G.v = "1.5*randn()"
    Network(G).run(30 * ms)
    a, b2 = 1 - dt / tau, sigma**2 * 2 * dt / tau
    variance = b2 / (1 - a * a)
    v = np.asarray(G.v)
    assert abs(v.mean()) < 5 * np.sqrt(variance / n)
    assert abs(v.var() - variance) < 5 * variance * np.sqrt(2 / n)
