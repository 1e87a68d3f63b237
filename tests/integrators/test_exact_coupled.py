"""method='exact' on coupled linear systems: the closed forms of
nerve.integrators.propagator against the matrix exponential computed
numerically (Taylor series with scaling and squaring, independent of the
code under test), for chains, a pair with real, complex, repeated and zero
eigenvalues, and the refusals."""

import numpy as np
import pytest

from evaluate import equations, simulate
from nerve.equations.printer import to_source
from nerve.exceptions import IntegrationError, UnsupportedEquationsException
from nerve.integrators import integrate


def expm(matrix):
    """exp(matrix) by a 30-term Taylor series after scaling the norm below
    1/4 (truncation error < 0.25**31/31!, far below round-off), then squaring."""
    matrix = np.asarray(matrix, dtype=float)
    norm = np.abs(matrix).sum(axis=1).max()
    squarings = max(0, int(np.ceil(np.log2(norm / 0.25)))) if norm > 0 else 0
    scaled = matrix / 2.0**squarings
    result = term = np.eye(len(matrix))
    for k in range(1, 31):
        term = term @ scaled / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


def affine_solution(A, c, x0, t):
    """x(t) for dx/dt = A x + c, from the exponential of [[A, c], [0, 0]]*t."""
    n = len(x0)
    augmented = np.zeros((n + 1, n + 1))
    augmented[:n, :n] = A
    augmented[:n, n] = c
    return (expm(augmented * t) @ np.append(x0, 1.0))[:n]


TAU, TAU_W, DT, STEPS = 0.01, 0.1, 1e-4, 300
ADAPTIVE = equations(v="-(v - 0.5)/tau + w/tau", w="(a*v - w)/tau_w")


def adaptive_matrix(a, tau=TAU, tau_w=TAU_W):
    return [[-1 / tau, 1 / tau], [a / tau_w, -1 / tau_w]], [0.5 / tau, 0.0]


@pytest.mark.parametrize("a, tau_w, kind", [
    (0.0, TAU_W, "w decoupled (a = 0), real eigenvalues"),
    (4.0, TAU_W, "real distinct eigenvalues"),
    (-20.0, TAU_W, "complex eigenvalues (q < 0)"),
    (1.0, TAU_W, "singular matrix (det = 0): no fixed point"),
    (0.0, TAU, "repeated eigenvalue (q == 0 exactly)"),
    (-2000.0, TAU_W, "fast oscillation: 16 periods over the run"),
])
def test_adaptive_pair_against_matrix_exponential(a, tau_w, kind):
    _, statements = integrate(ADAPTIVE, "exact")
    x0 = [1.2, -0.3]
    state = simulate(statements, {"v": x0[0], "w": x0[1]},
                     {"a": a, "tau": TAU, "tau_w": tau_w}, dt=DT, n_steps=STEPS)
    A, c = adaptive_matrix(a, tau_w=tau_w)
    expected = affine_solution(A, c, x0, STEPS * DT)
    # 300 steps, each exact to a few ulps of the largest term (the constant's
    # part divides by det(A), losing up to ~2 digits when dt*|A| ~ 1e-2)
    np.testing.assert_allclose([state["v"][0], state["w"][0]], expected,
                               rtol=1e-11, atol=1e-12, err_msg=kind)


def test_per_neuron_parameters_take_their_own_branch():
    # one lane per case: the where() choices are made per neuron at run time
    _, statements = integrate(ADAPTIVE, "exact")
    a = np.array([0.0, 4.0, -20.0, 1.0])
    x0 = np.array([[1.2, -0.3], [0.0, 1.0], [-0.4, 0.2], [2.0, 2.0]])
    state = simulate(statements, {"v": x0[:, 0], "w": x0[:, 1]},
                     {"a": a, "tau": TAU, "tau_w": TAU_W}, dt=DT, n_steps=STEPS, n=4)
    for lane in range(4):
        A, c = adaptive_matrix(a[lane])
        expected = affine_solution(A, c, x0[lane], STEPS * DT)
        np.testing.assert_allclose([state["v"][lane], state["w"][lane]], expected,
                                   rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("k", [40.0**2, -40.0**2, 0.0])
def test_oscillator_pair(k):
    # v'' = -k v: cosine (k > 0), cosh (k < 0), straight line (k = 0)
    _, statements = integrate(equations(v="w", w="-k*v"), "exact")
    state = simulate(statements, {"v": 1.0, "w": 0.5}, {"k": k}, dt=1e-3, n_steps=200)
    expected = affine_solution([[0, 1], [-k, 0]], [0, 0], [1.0, 0.5], 0.2)
    np.testing.assert_allclose([state["v"][0], state["w"][0]], expected, rtol=1e-11)


def test_pair_with_constants_in_both_equations():
    _, statements = integrate(equations(x="-2*x + 3*y + p", y="-x - y/tau + r"), "exact")
    for tau in (0.5, 1 / 3.0):  # tau = 1/3: det = 2/tau - (-3) != 0; both real and complex
        state = simulate(statements, {"x": 0.3, "y": -0.7},
                         {"tau": tau, "p": 1.5, "r": -0.25}, dt=0.01, n_steps=100)
        expected = affine_solution([[-2, 3], [-1, -1 / tau]], [1.5, -0.25],
                                   [0.3, -0.7], 1.0)
        np.testing.assert_allclose([state["x"][0], state["y"][0]], expected, rtol=1e-11)


def test_nilpotent_pair_with_constants():
    # A = [[k, k], [-k, -k]]: trace and determinant both zero (A**2 = 0),
    # x(t) = x0 + t*(A x0 + c) + t**2/2*A c, the last limit of the pair's formula
    _, statements = integrate(equations(x="k*x + k*y + p", y="-k*x - k*y + r"), "exact")
    state = simulate(statements, {"x": 0.3, "y": -0.7}, {"k": 2.0, "p": 1.5, "r": -0.25},
                     dt=0.01, n_steps=100)
    A, c, x0 = np.array([[2.0, 2.0], [-2.0, -2.0]]), np.array([1.5, -0.25]), np.array([0.3, -0.7])
    expected = x0 + 1.0 * (A @ x0 + c) + 0.5 * A @ c
    np.testing.assert_allclose([state["x"][0], state["y"][0]], expected, rtol=1e-11)


CHAIN = equations(v="(ge - v)/tau + v0/tau", ge="(gs - ge)/tau_e", gs="-gs/tau_s")


@pytest.mark.parametrize("tau, tau_e, tau_s", [
    (0.02, 0.005, 0.002),      # distinct rates
    (0.01, 0.01, 0.002),       # tau == tau_e at run time: the where() limit
    (0.01, 0.01, 0.01),        # all three equal at run time
])
def test_synaptic_chain_against_matrix_exponential(tau, tau_e, tau_s):
    _, statements = integrate(CHAIN, "exact")
    x0 = [0.1, 0.4, 1.0]
    state = simulate(statements, {"v": x0[0], "ge": x0[1], "gs": x0[2]},
                     {"tau": tau, "tau_e": tau_e, "tau_s": tau_s, "v0": -0.2},
                     dt=DT, n_steps=STEPS)
    A = [[-1 / tau, 1 / tau, 0], [0, -1 / tau_e, 1 / tau_e], [0, 0, -1 / tau_s]]
    expected = affine_solution(A, [-0.2 / tau, 0, 0], x0, STEPS * DT)
    np.testing.assert_allclose([state["v"][0], state["ge"][0], state["gs"][0]],
                               expected, rtol=1e-11, atol=1e-13)


def test_long_chain_with_a_constant():
    # x0 <- x1 <- ... <- x5 <- c: divided differences at up to 7 points, two
    # pairs of rates equal at run time (tau1 == tau3, tau2 == tau5)
    n = 6
    rhs = {f"x{i}": f"(x{i + 1} - x{i})/tau{i}" for i in range(n - 1)}
    rhs[f"x{n - 1}"] = f"(c - x{n - 1})/tau{n - 1}"
    taus = [0.004, 0.002, 0.003, 0.002, 0.006, 0.003]
    _, statements = integrate(equations(**rhs), "exact")
    x0 = np.linspace(0.5, -0.5, n)
    state = simulate(statements, {f"x{i}": x0[i] for i in range(n)},
                     {**{f"tau{i}": taus[i] for i in range(n)}, "c": 1.0},
                     dt=DT, n_steps=STEPS)
    A = np.zeros((n, n))
    for i in range(n):
        A[i, i] = -1 / taus[i]
        if i + 1 < n:
            A[i, i + 1] = 1 / taus[i]
    c = np.zeros(n)
    c[-1] = 1 / taus[-1]
    expected = affine_solution(A, c, x0, STEPS * DT)
    np.testing.assert_allclose([state[f"x{i}"][0] for i in range(n)], expected,
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("relative", [1e-3, 1e-9, 1e-13])
def test_close_time_constants_without_cancellation(relative):
    # tau_e = tau*(1 + relative): the difference quotient of the two
    # exponentials is written with sinh; (exp(b dt) - exp(a dt))/(b - a)
    # would lose log10(1/relative) digits (an error of 9e-3 at 1e-12)
    _, statements = integrate(equations(v="(ge - v)/tau", ge="-ge/tau_e"), "exact")
    tau, tau_e = 0.01, 0.01 * (1 + relative)
    state = simulate(statements, {"v": 0.1, "ge": 1.0}, {"tau": tau, "tau_e": tau_e},
                     dt=DT, n_steps=STEPS)
    expected = affine_solution([[-1 / tau, 1 / tau], [0, -1 / tau_e]], [0, 0],
                               [0.1, 1.0], STEPS * DT)
    np.testing.assert_allclose([state["v"][0], state["ge"][0]], expected, rtol=1e-12)


def test_chain_with_one_time_constant_uses_the_repeated_rate_form():
    # alpha synapse written with one tau: no division by tau - tau
    _, statements = integrate(equations(g="(h - g)/tau", h="-h/tau"), "exact")
    text = " ".join(str(s) for s in statements)
    assert "where" not in text
    state = simulate(statements, {"g": 0.0, "h": 1.0}, {"tau": 0.005}, dt=DT,
                     n_steps=STEPS)
    t = STEPS * DT
    assert state["g"][0] == pytest.approx(t / 0.005 * np.exp(-t / 0.005), rel=1e-12)
    assert state["h"][0] == pytest.approx(np.exp(-t / 0.005), rel=1e-12)


def test_perfect_integrator_driven_by_a_decaying_current():
    # dv/dt = I/C + b (zero rate: the constant's divided differences at 0)
    _, statements = integrate(equations(v="I/C + b", I="-I/tau"), "exact")
    C, tau, b, t = 2.0, 0.004, 0.3, STEPS * DT
    state = simulate(statements, {"v": 0.0, "I": 1.0}, {"C": C, "tau": tau, "b": b},
                     dt=DT, n_steps=STEPS)
    v = tau / C * (1 - np.exp(-t / tau)) + b * t
    assert state["v"][0] == pytest.approx(v, rel=1e-12)


def test_rate_that_vanishes_at_run_time_in_a_chain():
    # dv/dt = I - k*v with k = 0 in one lane: the divided difference at two
    # rates that are equal at run time (k == 0, the constant's rate)
    _, statements = integrate(equations(v="I - k*v + c", I="-I/tau"), "exact")
    k = np.array([0.0, 50.0])
    state = simulate(statements, {"v": 0.2, "I": 1.0}, {"k": k, "tau": 0.01, "c": 2.0},
                     dt=DT, n_steps=STEPS, n=2)
    for lane in range(2):
        expected = affine_solution([[-k[lane], 1], [0, -100]], [2.0, 0], [0.2, 1.0],
                                   STEPS * DT)
        np.testing.assert_allclose([state["v"][lane], state["I"][lane]], expected,
                                   rtol=1e-11)


def test_independent_groups_are_solved_separately():
    eqs = equations(v="(ge - v)/tau", ge="-ge/tau_e", x="y", y="-k*x", u="-u/tau")
    _, statements = integrate(eqs, "exact")
    state = simulate(statements, {"v": 0.0, "ge": 1.0, "x": 1.0, "y": 0.0, "u": 2.0},
                     {"tau": 0.01, "tau_e": 0.003, "k": 100.0}, dt=DT, n_steps=STEPS)
    t = STEPS * DT
    assert state["u"][0] == pytest.approx(2 * np.exp(-t / 0.01), rel=1e-12)
    assert state["x"][0] == pytest.approx(np.cos(10 * t), rel=1e-11)
    expected = affine_solution([[-100, 100], [0, -1 / 0.003]], [0, 0], [0.0, 1.0], t)
    assert state["v"][0] == pytest.approx(expected[0], rel=1e-11)


@pytest.mark.parametrize("rhs, culprit", [
    ({"x": "y", "y": "z", "z": "-x"}, "x, y, z form a loop of 3 variables"),
    ({"v": "w - v", "w": "-v", "x": "y + v", "y": "-x"},
     "v, w and x, y are two pairs"),
])
def test_structures_without_a_closed_form_here_are_refused(rhs, culprit):
    with pytest.raises(UnsupportedEquationsException, match=culprit) as info:
        integrate(equations(**rhs), "exact")
    assert "'rk4'" in str(info.value)
    assert isinstance(info.value, IntegrationError)


ADAPTIVE_DRIVEN = equations(v="(-(v - 0.5) + w + I)/tau", w="(a*v - w)/tau_w",
                            I="-I/tau_s")


@pytest.mark.parametrize("a", [4.0, -20.0, 0.0])
def test_pair_driven_by_a_current_against_matrix_exponential(a):
    # the pair (v, w) with a synaptic current upstream and a constant input:
    # Newton's form over the spectrum (nerve/integrators/mixed.py)
    tau, tau_w, tau_s = 0.01, 0.1, 0.005
    _, statements = integrate(ADAPTIVE_DRIVEN, "exact")
    x0 = [1.2, -0.3, 2.0]
    state = simulate(statements, dict(zip("vwI", x0)),
                     {"tau": tau, "tau_w": tau_w, "tau_s": tau_s, "a": a},
                     dt=DT, n_steps=STEPS)
    A = [[-1 / tau, 1 / tau, 1 / tau], [a / tau_w, -1 / tau_w, 0], [0, 0, -1 / tau_s]]
    expected = affine_solution(A, [0.5 / tau, 0, 0], x0, STEPS * DT)
    np.testing.assert_allclose([state[x][0] for x in "vwI"], expected, rtol=1e-11)
    # the current, which reads nothing of the pair, keeps its own closed form
    assert "I = I*exp(-dt/tau_s)" in [to_source(s) for s in statements]


def test_pair_between_an_upstream_chain_and_a_downstream_variable():
    rhs = {"x": "(y - x)/t1 + g", "y": "-x/t2 - y/t1", "g": "(h - g)/t3",
           "h": "-h/t4", "z": "(x - z)/t5 + 1/t5"}
    t = {"t1": 0.01, "t2": 0.002, "t3": 0.003, "t4": 0.006, "t5": 0.02}
    _, statements = integrate(equations(**rhs), "exact")
    x0 = [0.3, -0.2, 1.0, 2.0, 0.1]
    state = simulate(statements, dict(zip(rhs, x0)), t, dt=DT, n_steps=STEPS)
    A = np.zeros((5, 5))
    A[0] = [-1 / t["t1"], 1 / t["t1"], 1, 0, 0]
    A[1] = [-1 / t["t2"], -1 / t["t1"], 0, 0, 0]          # complex eigenvalues
    A[2] = [0, 0, -1 / t["t3"], 1 / t["t3"], 0]
    A[3] = [0, 0, 0, -1 / t["t4"], 0]
    A[4] = [1 / t["t5"], 0, 0, 0, -1 / t["t5"]]
    expected = affine_solution(A, [0, 0, 0, 0, 1 / t["t5"]], x0, STEPS * DT)
    np.testing.assert_allclose([state[x][0] for x in rhs], expected, rtol=1e-11,
                               atol=1e-13)


@pytest.mark.parametrize("rhs, reason", [
    ({"v": "(w - v)/tau", "w": "-v*w/tau"}, "not linear in v, w"),
    ({"v": "(w - v)/tau", "w": "(sin(t/tau) - w)/tau"}, "depends on the time t"),
    ({"v": "(w - v)/tau", "w": "-w*t/tau**2"}, "depends on the time t"),
])
def test_no_closed_form_says_why_and_suggests_a_method(rhs, reason):
    with pytest.raises(UnsupportedEquationsException, match=reason) as info:
        integrate(equations(**rhs), "exact")
    message = str(info.value)
    assert "'euler'" in message and "'rk4'" in message


# Brian2 2.9.0 (numpy target, dt = 0.1 ms):
#   G = NeuronGroup(2, '''dv/dt = -(v - 0.5)/tau + w/tau : 1
#                         dw/dt = (a*v - w)/tau_w : 1
#                         a : 1 (constant)''', method='exact')
#   tau, tau_w = 10*ms, 100*ms; G.v = [1.2, 0.0]; G.w = [-0.3, 1.0]; G.a = [4.0, 0.0]
#   M = StateMonitor(G, ['v', 'w'], record=True); run(30*ms)
#   M.v[0, ::50], M.w[0, ::50]   (the neuron with a = 0 gives NaN in Brian2)
BRIAN2_V = [1.2, 0.8538829503850957, 0.7134319624342872, 0.6834870275969099,
            0.7155602863577212, 0.7852767285486443]
BRIAN2_W = [-0.3, -0.08979946533475014, 0.06496185808732613, 0.19672117201710626,
            0.3228578861293022, 0.453072665135977]


def test_adaptive_pair_through_the_engine():
    from nerve import Network, NeuronGroup, StateMonitor, ms, start_scope

    start_scope()
    G = NeuronGroup(4, """dv/dt = -(v - 0.5)/tau + w/tau : 1
                          dw/dt = (a*v - w)/tau_w : 1
                          a : 1 (constant)""", method="exact",
                    namespace={"tau": 10 * ms, "tau_w": 100 * ms})
    a = np.array([4.0, 0.0, -20.0, 1.0])
    x0 = np.array([[1.2, -0.3], [0.0, 1.0], [-0.4, 0.2], [2.0, 2.0]])
    G.v, G.w, G.a = x0[:, 0], x0[:, 1], a
    M = StateMonitor(G, ["v", "w"], record=True)
    Network(G, M).run(30 * ms)
    # Brian2's closed form is another formula for the same numbers
    np.testing.assert_allclose(M.v[0][::50], BRIAN2_V, rtol=1e-12)
    np.testing.assert_allclose(M.w[0][::50], BRIAN2_W, rtol=1e-12)
    for lane in range(4):   # including a = 0, complex and singular cases
        A, c = adaptive_matrix(a[lane])
        expected = affine_solution(A, c, x0[lane], STEPS * DT)
        np.testing.assert_allclose([G.v[lane], G.w[lane]], expected, rtol=1e-11,
                                   atol=1e-12)
