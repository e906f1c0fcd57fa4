"""Simulation: Euler against RK45, where toy trajectories go, batching, maps, noise, errors."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from rnnlab import TanhMap, ToySystem, random_rnn, simulate

TOY = ToySystem()
NODES = np.array([[1.0, 0.5], [-1.0, -0.5]])


def small_map(with_input=True, seed=0, n=4):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.4 / np.sqrt(n), size=(n, n))
    if with_input:
        return TanhMap(W, W_in=rng.normal(size=(n, 2)), u=rng.normal(size=2))
    return TanhMap(W)


# -- accuracy -------------------------------------------------------------------------------


def test_rk45_matches_independent_solve_ivp():
    x0 = np.array([0.3, -0.2])
    t, x = simulate(TOY, x0, 3.0, dt=0.5, method="rk45", rtol=1e-12, atol=1e-14)
    ref = solve_ivp(
        lambda _t, y: [(1 - y[0] ** 2) * y[1], y[0] / 2 - y[1]],
        (0, 3.0),
        x0,
        t_eval=t,
        rtol=1e-12,
        atol=1e-14,
    )
    np.testing.assert_allclose(t, np.arange(7) * 0.5, atol=1e-15)
    np.testing.assert_allclose(x, ref.y.T, atol=1e-10)


@pytest.mark.parametrize(
    "system,x0",
    [
        (TOY, np.array([0.3, -0.2])),
        (random_rnn(8, 1.2, seed=3), np.random.default_rng(3).normal(size=8)),
    ],
    ids=["toy", "rnn"],
)
def test_euler_converges_first_order_to_rk45(system, x0):
    T = 2.0
    _, ref = simulate(system, x0, T, dt=0.5, method="rk45", rtol=1e-12, atol=1e-14)
    errors = []
    for dt in (0.02, 0.01, 0.005, 0.0025):
        _, x = simulate(system, x0, T, dt=dt)
        errors.append(np.max(np.abs(x[-1] - ref[-1])))
    errors = np.array(errors)
    ratios = errors[:-1] / errors[1:]
    assert np.all(np.diff(errors) < 0)
    np.testing.assert_allclose(ratios, 2.0, atol=0.15)
    assert errors[-1] < 1e-2


def test_euler_samples_every_dt():
    t, x = simulate(TOY, [0.1, 0.2], 1.0, dt=0.25)
    np.testing.assert_allclose(t, [0.0, 0.25, 0.5, 0.75, 1.0], atol=1e-15)
    assert x.shape == (5, 2)
    np.testing.assert_array_equal(x[0], [0.1, 0.2])
    # one explicit Euler step
    np.testing.assert_allclose(x[1], x[0] + 0.25 * TOY.rhs(x[0]), rtol=1e-15)


def test_default_dt_is_0_1():
    t, _ = simulate(TOY, [0.1, 0.2], 1.0)
    np.testing.assert_allclose(np.diff(t), 0.1, atol=1e-12)
    assert len(t) == 11


# -- the toy's separatrix -------------------------------------------------------------------


def _stable_manifold_points(branch, radii):
    """Points on the stable manifold of the saddle at the origin, by backward integration."""
    lam_s = (-1 - np.sqrt(3)) / 2
    v_s = np.array([1.0, lam_s]) / np.hypot(1.0, lam_s)  # J v = lam_s v, J = [[0, 1], [1/2, -1]]

    def back(_t, y):
        return -TOY.rhs(y)

    def far(_t, y):
        return np.hypot(*y) - 2.0

    far.terminal = True
    sol = solve_ivp(
        back, (0, 60), branch * 1e-8 * v_s, events=far, rtol=1e-11, atol=1e-14, dense_output=True
    )
    ts = np.linspace(sol.t[0], sol.t[-1], 20001)
    pts = sol.sol(ts).T
    r = np.hypot(pts[:, 0], pts[:, 1])
    return [pts[np.argmin(np.abs(r - target))] for target in radii]


@pytest.mark.parametrize("branch", [1, -1])
def test_toy_trajectories_either_side_of_separatrix(branch):
    # The stable manifold of the saddle separates the basins of the two stable nodes.
    v_u = np.array([1.0, (-1 + np.sqrt(3)) / 2])  # unstable direction, towards (1, 1/2)
    points = _stable_manifold_points(branch, [0.2, 0.8, 1.6])
    side = None
    for p in points:
        F = TOY.rhs(p)
        n = np.array([-F[1], F[0]]) / np.hypot(*F)  # normal to the (invariant) manifold
        if side is None:  # near the saddle the normal's side is set by the unstable direction
            side = np.sign(n @ v_u)
        ends = []
        for s in (1, -1):
            _, x = simulate(TOY, p + s * 1e-3 * n, 60.0, dt=1.0, method="rk45")
            ends.append(x[-1])
        np.testing.assert_allclose(ends[0], side * NODES[0], atol=1e-6)
        np.testing.assert_allclose(ends[1], -side * NODES[0], atol=1e-6)


def test_toy_docstring_example():
    _, x = simulate(TOY, [0.1, 0.0], 30.0, method="rk45")
    np.testing.assert_allclose(x[-1], [1.0, 0.5], atol=1e-3)
    _, x = simulate(TOY, [-0.1, 0.0], 30.0, method="rk45")
    np.testing.assert_allclose(x[-1], [-1.0, -0.5], atol=1e-3)


# -- batching -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["euler", "rk45"])
def test_batch_equals_loop_of_singles(method):
    net = random_rnn(6, 1.3, seed=4)
    X0 = np.random.default_rng(4).normal(size=(5, 6))
    t, X = simulate(net, X0, 3.0, dt=0.1, method=method)
    assert X.shape == (5, len(t), 6)
    for k in range(5):
        t1, x1 = simulate(net, X0[k], 3.0, dt=0.1, method=method)
        assert x1.shape == (len(t), 6)
        np.testing.assert_array_equal(t1, t)
        # Euler is the same arithmetic; RK45 picks steps jointly for a batch
        atol = 1e-13 if method == "euler" else 1e-6
        np.testing.assert_allclose(X[k], x1, rtol=0, atol=atol)


# -- maps -----------------------------------------------------------------------------------


@pytest.mark.parametrize("with_input", [False, True])
def test_map_iteration_equals_repeated_step(with_input):
    m = small_map(with_input)
    x0 = np.random.default_rng(1).normal(size=(3, m.dim))
    t, X = simulate(m, x0, 12)
    np.testing.assert_array_equal(t, np.arange(13))
    x = x0.copy()
    for k in range(13):
        np.testing.assert_allclose(X[:, k], x, rtol=1e-14, atol=1e-15)
        x = m.step(x)


# -- noise ----------------------------------------------------------------------------------


@pytest.mark.parametrize("system", [TOY, small_map()], ids=["flow", "map"])
def test_noise_requires_seed_and_is_reproducible(system):
    x0 = np.full(system.dim, 0.1)
    with pytest.raises(ValueError, match="seed"):
        simulate(system, x0, 5, noise=0.1)
    _, a = simulate(system, x0, 5, noise=0.1, seed=7)
    _, b = simulate(system, x0, 5, noise=0.1, seed=7)
    _, c = simulate(system, x0, 5, noise=0.1, seed=8)
    _, clean = simulate(system, x0, 5)
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 1e-3
    assert np.max(np.abs(a - clean)) > 1e-3
    rng_a = simulate(system, x0, 5, noise=0.1, seed=np.random.default_rng(7))[1]
    np.testing.assert_array_equal(rng_a, a)


@pytest.mark.parametrize("system,dt", [(TOY, 0.01), (TOY, 0.2), (small_map(), None)])
def test_noise_amplitude(system, dt):
    # one step: x1 - (deterministic step) = sigma sqrt(dt) xi for a flow, sigma xi for a map
    sigma = 0.3
    X0 = np.random.default_rng(2).normal(0.0, 0.5, size=(20000, system.dim))
    kw = {} if dt is None else {"dt": dt}
    _, X = simulate(system, X0, 1 if dt is None else dt, noise=sigma, seed=3, **kw)
    if system.discrete:
        det, expected = system.step(X0), sigma
    else:
        det, expected = X0 + dt * system.rhs(X0), sigma * np.sqrt(dt)
    resid = X[:, 1] - det
    np.testing.assert_allclose(resid.std(), expected, rtol=0.02)
    assert abs(resid.mean()) < 4 * expected / np.sqrt(resid.size)


# -- subsampling ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["euler", "rk45"])
@pytest.mark.parametrize("every", [1, 3, 7])
def test_every_subsamples(method, every):
    x0 = [0.4, -0.3]
    t_full, x_full = simulate(TOY, x0, 2.0, dt=0.1, method=method)
    t, x = simulate(TOY, x0, 2.0, dt=0.1, method=method, every=every)
    np.testing.assert_allclose(t, t_full[::every], atol=1e-12)
    np.testing.assert_allclose(x, x_full[::every], rtol=0, atol=1e-12)
    assert len(t) == len(x)


def test_every_subsamples_map():
    m = small_map()
    _, x_full = simulate(m, np.zeros(m.dim), 10)
    t, x = simulate(m, np.zeros(m.dim), 10, every=4)
    np.testing.assert_array_equal(t, [0, 4, 8])
    np.testing.assert_array_equal(x, x_full[::4])


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"duration": 0.0}, ValueError, "duration"),
        ({"duration": -1.0}, ValueError, "duration"),
        ({"duration": float("nan")}, ValueError, "duration"),
        ({"duration": "10"}, TypeError, "duration"),
        ({"duration": 1.0, "dt": 0.3}, ValueError, "whole number of steps"),
        ({"duration": 1.0, "dt": 0.0}, ValueError, "dt"),
        ({"duration": 1.0, "dt": -0.1}, ValueError, "dt"),
        ({"duration": 1.0, "method": "rk4"}, ValueError, "method"),
        ({"duration": 1.0, "noise": -0.1, "seed": 0}, ValueError, "noise"),
        ({"duration": 1.0, "noise": 0.1, "seed": 0, "method": "rk45"}, ValueError, "noise"),
        ({"duration": 1.0, "every": 0}, ValueError, "every"),
        ({"duration": 1.0, "every": 1.5}, ValueError, "every"),
    ],
)
def test_flow_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        simulate(TOY, [0.1, 0.1], **kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"duration": 5, "dt": 0.5}, "dt"),
        ({"duration": 5, "method": "rk45"}, "rk45"),
        ({"duration": 5.5}, "integer"),
    ],
)
def test_map_errors(kwargs, match):
    m = small_map()
    with pytest.raises(ValueError, match=match):
        simulate(m, np.zeros(m.dim), **kwargs)


def test_not_a_system():
    with pytest.raises(TypeError, match="system"):
        simulate(lambda x: -x, [0.1], 1.0)


def test_wrong_initial_state_shape():
    with pytest.raises(ValueError, match="x0"):
        simulate(TOY, [0.1, 0.2, 0.3], 1.0)


def test_divergence_is_reported():
    net = random_rnn(4, 1.0, seed=0, phi="linear")
    big = random_rnn(4, 50.0, seed=0, phi="linear")
    simulate(net, np.ones(4), 1.0)  # fine
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(FloatingPointError, match="diverged"),
    ):
        simulate(big, np.ones(4), 200.0, dt=0.5)
