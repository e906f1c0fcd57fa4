"""Systems: analytic derivatives against finite differences, batching, symmetry, maps.

Every derivative the library computes analytically (J, phi', phi'', grad q, Hessians of q)
is compared with central finite differences of the quantity it differentiates, so a
wrong sign or a transposed index cannot hide.
"""

import doctest
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize
from slow_system import SlowSystem

import rnnlab
from rnnlab import (
    DynamicalSystem,
    RateRNN,
    TanhMap,
    ToySystem,
    esn_closed_loop,
    find_fixed_points,
    grid_2d,
    grid_starts,
    make_flow,
    make_map,
    nonlinearity,
)

H_FD = 1e-6  # central-difference step: truncation ~h^2, round-off ~1e-16/h


def fd_jacobian(f, x, h=H_FD):
    """Central-difference Jacobian of f: R^N -> R^M at x, shape (M, N)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def fd_gradient(f, x, h=H_FD):
    """Central-difference gradient of a scalar function."""
    return fd_jacobian(lambda z: np.atleast_1d(f(z)), x, h)[0]


def away_from_kink(z, threshold, margin=0.05):
    """Move points at least ``margin`` away from the ReLU kink (FD straddling it is meaningless)."""
    return threshold + np.sign(z) * (margin + np.abs(z))


def rng_matrix(seed, shape, scale=1.0):
    return np.random.default_rng(seed).normal(0.0, scale, size=shape)


# -- systems used throughout ------------------------------------------------------------

N_SMALL = 6
PHIS = [
    ("tanh", 0.0),
    ("logistic", 0.0),
    ("relu", 0.0),
    ("relu", 0.5),
    ("linear", 0.0),
]


def make_rate_rnn(phi, threshold, with_input, with_bias, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.5 / np.sqrt(N_SMALL), size=(N_SMALL, N_SMALL))
    kwargs = {}
    if with_input:
        kwargs["B"] = rng.normal(size=(N_SMALL, 2))
        kwargs["u"] = rng.normal(size=2)
    if with_bias:
        kwargs["b"] = rng.normal(size=N_SMALL)
    return RateRNN(W, phi=phi, threshold=threshold, **kwargs)


def state_for(system, seed=1, n=None):
    """A random test state (or batch), kept away from any ReLU kink."""
    rng = np.random.default_rng(seed)
    shape = (system.dim,) if n is None else (n, system.dim)
    x = rng.normal(0.0, 0.8, size=shape)
    phi = getattr(system, "phi", None)
    if phi is not None and phi.name == "relu" and isinstance(system, RateRNN):
        x = away_from_kink(x - phi.threshold, phi.threshold)
    return x


def make_tanh_map(with_input, seed=3, n=5):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.3 / np.sqrt(n), size=(n, n))
    if with_input:
        return TanhMap(W, W_in=rng.normal(size=(n, 3)), u=rng.normal(size=3))
    return TanhMap(W)


def make_esn(phi="tanh", with_input=True, seed=4, n=7, n_out=3):
    rng = np.random.default_rng(seed)
    W_r = rng.normal(0.0, 1.2 / np.sqrt(n), size=(n, n))
    W_fb = rng.normal(size=(n, n_out))
    W_o = rng.normal(0.0, 0.3, size=(n_out, n))
    kw = {"B": rng.normal(size=(n, 2)), "u": rng.normal(size=2)} if with_input else {}
    return esn_closed_loop(W_r, W_fb, W_o, phi=phi, **kw), (W_r, W_fb, W_o, kw)


def all_systems():
    """(id, system) pairs covering every concrete system and option."""
    out = [(f"toy(a={a},b={b})", ToySystem(a, b)) for a, b in [(1, 0.5), (2.0, -0.7), (-0.5, 1.3)]]
    for phi, th in PHIS:
        for inp in (False, True):
            for bias in (False, True):
                out.append(
                    (
                        f"rnn({phi},th={th},input={inp},bias={bias})",
                        make_rate_rnn(phi, th, inp, bias),
                    )
                )
    out.append(("esn(tanh)", make_esn("tanh")[0]))
    out.append(("esn(logistic,no input)", make_esn("logistic", with_input=False)[0]))
    out.append(("map", make_tanh_map(False)))
    out.append(("map(input)", make_tanh_map(True)))
    # systems made from plain functions: a flow looped state by state, a batched map
    toy = ToySystem(2.0, -0.7)
    out.append(("make_flow(toy,unbatched)", make_flow(toy.rhs, toy.jacobian, dim=2, batched=False)))
    tm = make_tanh_map(True)
    out.append(("make_map(tanh map)", make_map(tm.step, tm.stability_matrix, dim=tm.dim)))
    return out


SYSTEMS = all_systems()
SYSTEM_IDS = [name for name, _ in SYSTEMS]
SYSTEM_OBJS = [s for _, s in SYSTEMS]


def scale_tol(A, rel=1e-6, abs_=1e-7):
    return abs_ + rel * np.max(np.abs(A))


# -- Jacobian, gradient and Hessians vs finite differences -----------------------------


@pytest.mark.parametrize("system", SYSTEM_OBJS, ids=SYSTEM_IDS)
def test_jacobian_matches_finite_differences(system):
    for seed in (1, 2, 3):
        x = state_for(system, seed)
        J = system.jacobian(x)
        J_fd = fd_jacobian(system.rhs, x)
        assert J.shape == (system.dim, system.dim)
        np.testing.assert_allclose(J, J_fd, rtol=0, atol=scale_tol(J_fd))


@pytest.mark.parametrize("system", SYSTEM_OBJS, ids=SYSTEM_IDS)
def test_grad_q_is_gradient_of_q(system):
    x = state_for(system, 5)
    g = system.grad_q(x)
    g_fd = fd_gradient(system.q, x)
    np.testing.assert_allclose(g, g_fd, rtol=0, atol=scale_tol(g_fd))
    # and it is J^T F, as documented
    np.testing.assert_allclose(g, system.jacobian(x).T @ system.rhs(x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("system", SYSTEM_OBJS, ids=SYSTEM_IDS)
def test_hessian_q_is_jacobian_of_grad_q(system):
    x = state_for(system, 6)
    H = system.hessian_q(x)
    H_fd = fd_jacobian(system.grad_q, x)
    np.testing.assert_allclose(H, H_fd, rtol=0, atol=scale_tol(H_fd))
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * (1 + np.max(np.abs(H))))


@pytest.mark.parametrize("system", SYSTEM_OBJS, ids=SYSTEM_IDS)
def test_gauss_newton_hessian_is_naive_jtj(system):
    # RateRNN uses a structured O(N^2) formula; compare it with the plain product.
    X = state_for(system, 7, n=4)
    H = system.gauss_newton_hessian(X)
    for k in range(len(X)):
        J = system.jacobian(X[k])
        np.testing.assert_allclose(H[k], J.T @ J, rtol=1e-12, atol=1e-12)


def test_rate_rnn_gauss_newton_is_laid_out_for_lapack():
    # Each J^T J is Fortran-ordered, so the finder's Cholesky factorises a plain copy of it.
    net = make_rate_rnn("tanh", 0.0, False, False, seed=12)
    X = state_for(net, 3, n=5)
    H = net._gauss_newton(X, net._jacobian(X))
    assert all(h.flags["F_CONTIGUOUS"] for h in H)


def test_rate_rnn_gauss_newton_not_stale_between_systems():
    # The cached W^T W belongs to one network: a second network must not reuse it.
    a = make_rate_rnn("tanh", 0.0, False, False, seed=10)
    b = make_rate_rnn("tanh", 0.0, False, False, seed=11)
    x = state_for(a, 1)
    a.gauss_newton_hessian(x)
    J = b.jacobian(x)
    np.testing.assert_allclose(b.gauss_newton_hessian(x), J.T @ J, rtol=1e-12, atol=1e-12)


def _fixed_point_of(system, x_start):
    sol = scipy.optimize.root(system.rhs, x_start, jac=system.jacobian, tol=1e-13)
    # judge by the residual: hybr may report "no further improvement" at machine precision
    assert np.max(np.abs(system.rhs(sol.x))) < 1e-12, sol.message
    return sol.x


FIXED_POINT_CASES = [
    ("toy (1, 1/2)", ToySystem(), np.array([0.9, 0.4])),
    ("toy (-sqrt2, ...)", ToySystem(2.0, -0.7), np.array([-1.3, 1.0])),
    ("rnn tanh + bias", make_rate_rnn("tanh", 0.0, True, True, seed=0), None),
    ("rnn logistic", make_rate_rnn("logistic", 0.0, False, True, seed=0), None),
    ("map with input", make_tanh_map(True), None),
]


@pytest.mark.parametrize(
    "system,x_start", [c[1:] for c in FIXED_POINT_CASES], ids=[c[0] for c in FIXED_POINT_CASES]
)
def test_exact_and_gauss_newton_hessians_agree_only_at_fixed_point(system, x_start):
    if x_start is None:
        x_start = np.zeros(system.dim)
    xs = _fixed_point_of(system, x_start)
    # a nontrivial fixed point (not the origin, where tanh'' = 0)
    assert np.max(np.abs(xs)) > 0.1
    H_exact, H_gn = system.hessian_q(xs), system.gauss_newton_hessian(xs)
    np.testing.assert_allclose(H_exact, H_gn, rtol=0, atol=1e-10 * (1 + np.max(np.abs(H_gn))))
    # away from it the dropped term sum_k F_k d^2 F_k is visible
    x_far = xs + np.random.default_rng(0).normal(0.0, 0.7, size=system.dim)
    diff = system.hessian_q(x_far) - system.gauss_newton_hessian(x_far)
    assert np.max(np.abs(diff)) > 1e-3
    # and it is exactly the part FD of grad q sees beyond J^T J
    H_fd = fd_jacobian(system.grad_q, x_far)
    np.testing.assert_allclose(
        diff, H_fd - system.gauss_newton_hessian(x_far), rtol=0, atol=scale_tol(H_fd)
    )


# -- batching ---------------------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEM_OBJS, ids=SYSTEM_IDS)
def test_batched_equals_single(system):
    X = state_for(system, 8, n=5)
    methods = [
        "rhs",
        "jacobian",
        "q",
        "grad_q",
        "hessian_q",
        "gauss_newton_hessian",
        "stability_matrix",
        "eigenvalues",
    ]
    if system.discrete:
        methods.append("step")
    for name in methods:
        batch = getattr(system, name)(X)
        assert batch.shape[0] == len(X), name
        for k in range(len(X)):
            single = getattr(system, name)(X[k])
            assert single.shape == batch.shape[1:], name
            np.testing.assert_allclose(batch[k], single, rtol=1e-12, atol=1e-13, err_msg=name)


@pytest.mark.parametrize("system", SYSTEM_OBJS, ids=SYSTEM_IDS)
def test_output_shapes_and_dtype(system):
    N = system.dim
    X = state_for(system, 9, n=3)
    assert system.rhs(X).shape == (3, N)
    assert system.jacobian(X).shape == (3, N, N)
    assert system.q(X).shape == (3,)
    assert system.q(X[0]).shape == ()
    assert system.hessian_q(X).shape == (3, N, N)
    assert system.eigenvalues(X).dtype.kind == "c"
    assert system.rhs(X).dtype == np.float64


def test_integer_and_list_inputs_are_float64():
    toy = ToySystem()
    np.testing.assert_array_equal(toy.rhs([1, 0]), np.array([0.0, 0.5]))
    assert toy.rhs([1, 0]).dtype == np.float64


# -- the rate RNN in detail ---------------------------------------------------------------


@pytest.mark.parametrize("phi,threshold", PHIS)
@pytest.mark.parametrize("with_input", [False, True])
@pytest.mark.parametrize("with_bias", [False, True])
def test_rate_rnn_rhs_and_jacobian_formulas(phi, threshold, with_input, with_bias):
    net = make_rate_rnn(phi, threshold, with_input, with_bias)
    x = state_for(net, 11)
    f = nonlinearity(phi, threshold)
    drive = np.zeros(net.dim)
    if with_input:
        drive = drive + net.B @ net.u
    if with_bias:
        drive = drive + net.b
    np.testing.assert_allclose(net.rhs(x), -x + net.W @ f(x) + drive, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(
        net.jacobian(x), -np.eye(net.dim) + net.W @ np.diag(f.df(x)), rtol=1e-13, atol=1e-14
    )
    np.testing.assert_allclose(net.drive, drive, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("phi", ["tanh", "linear"])
def test_odd_symmetry_without_input(phi):
    net = make_rate_rnn(phi, 0.0, False, False)
    assert net.odd
    X = state_for(net, 12, n=6)
    np.testing.assert_allclose(net.rhs(-X), -net.rhs(X), rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(net.rhs(np.zeros(net.dim)), np.zeros(net.dim))


@pytest.mark.parametrize(
    "phi,with_input,with_bias",
    [("tanh", True, False), ("tanh", False, True), ("logistic", False, False)],
)
def test_not_odd_with_input_bias_or_even_part(phi, with_input, with_bias):
    net = make_rate_rnn(phi, 0.0, with_input, with_bias)
    assert not net.odd
    x = state_for(net, 13)
    assert np.max(np.abs(net.rhs(-x) + net.rhs(x))) > 1e-3


# -- ESN closed loop ----------------------------------------------------------------------


@pytest.mark.parametrize("phi", ["tanh", "logistic"])
@pytest.mark.parametrize("with_input", [False, True])
def test_esn_closed_loop_is_rate_rnn_with_combined_weights(phi, with_input):
    esn, (W_r, W_fb, W_o, kw) = make_esn(phi, with_input)
    W_c = W_r + W_fb @ W_o
    ref = RateRNN(W_c, phi=phi, **kw)
    assert isinstance(esn, RateRNN)
    np.testing.assert_allclose(esn.W, W_c, rtol=1e-14, atol=1e-14)
    f = nonlinearity(phi)
    X = state_for(esn, 14, n=4)
    for x in X:
        # the definition with the readout z = W_o phi(x) fed back explicitly
        z = W_o @ f(x)
        direct = -x + W_r @ f(x) + W_fb @ z
        if with_input:
            direct = direct + kw["B"] @ kw["u"]
        np.testing.assert_allclose(esn.rhs(x), direct, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(esn.rhs(x), ref.rhs(x), rtol=1e-13, atol=1e-14)
        J_expected = -np.eye(esn.dim) + W_c @ np.diag(f.df(x))
        np.testing.assert_allclose(esn.jacobian(x), J_expected, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(esn.jacobian(x), fd_jacobian(esn.rhs, x), atol=1e-7)
    # the feedback is a rank-n_out change of the reservoir
    assert np.linalg.matrix_rank(esn.W - W_r) == W_o.shape[0]


# -- nonlinearities -----------------------------------------------------------------------

PHI_REFERENCE = {
    "tanh": np.tanh,
    "logistic": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "linear": lambda x: x,
}


@pytest.mark.parametrize("name,threshold", [*PHIS, ("relu", -0.3)])
def test_nonlinearity_values_and_derivatives(name, threshold):
    phi = nonlinearity(name, threshold)
    z = np.random.default_rng(15).normal(0.0, 2.0, size=40)
    x = away_from_kink(z - threshold, threshold) if name == "relu" else z
    ref = PHI_REFERENCE.get(name, lambda v: np.maximum(0.0, v - threshold))
    np.testing.assert_allclose(phi(x), ref(x), rtol=1e-14, atol=1e-15)
    h = 1e-6
    np.testing.assert_allclose(phi.df(x), (phi.f(x + h) - phi.f(x - h)) / (2 * h), atol=1e-8)
    np.testing.assert_allclose(phi.d2f(x), (phi.df(x + h) - phi.df(x - h)) / (2 * h), atol=1e-7)
    assert phi.threshold == threshold


def test_relu_threshold_moves_the_kink():
    phi = nonlinearity("relu", threshold=0.5)
    np.testing.assert_array_equal(phi(np.array([0.0, 0.5, 1.0, 2.0])), [0.0, 0.0, 0.5, 1.5])
    np.testing.assert_array_equal(phi.df(np.array([0.4, 0.6])), [0.0, 1.0])


@pytest.mark.parametrize("name,odd", [("tanh", True), ("linear", True), ("logistic", False)])
def test_nonlinearity_odd_flag_is_true_symmetry(name, odd):
    phi = nonlinearity(name)
    x = np.linspace(-3, 3, 13)
    assert phi.odd == odd
    assert np.allclose(phi(-x), -phi(x)) == odd


def test_nonlinearity_object_passes_through():
    phi = nonlinearity("relu", threshold=0.25)
    assert nonlinearity(phi) is phi
    assert "0.25" in repr(phi)


# -- the toy system -----------------------------------------------------------------------


@pytest.mark.parametrize("a,b", [(1.0, 0.5), (2.0, -0.7), (0.3, 2.0), (0.0, 1.0), (-1.0, 0.5)])
def test_toy_analytic_fixed_points_are_roots(a, b):
    toy = ToySystem(a, b)
    P = toy.analytic_fixed_points()
    assert P.shape == ((3, 2) if a > 0 else (1, 2))
    np.testing.assert_allclose(toy.rhs(P), 0.0, atol=1e-14)
    if a > 0:
        r = np.sqrt(a)
        np.testing.assert_allclose(P, [[-r, -b * r], [0, 0], [r, b * r]], atol=1e-15)


def test_toy_jacobian_formula():
    a, b = 1.7, -0.4
    toy = ToySystem(a, b)
    x, y = 0.3, -1.2
    np.testing.assert_allclose(
        toy.jacobian([x, y]), [[-2 * x * y, a - x * x], [b, -1.0]], rtol=1e-15
    )


def test_toy_documented_eigenvalues():
    toy = ToySystem()
    lam0 = toy.eigenvalues([0.0, 0.0])
    np.testing.assert_allclose(lam0, [(-1 + np.sqrt(3)) / 2, (-1 - np.sqrt(3)) / 2], atol=1e-14)
    for p in ([1.0, 0.5], [-1.0, -0.5]):
        np.testing.assert_allclose(toy.rhs(p), 0.0, atol=0)
        np.testing.assert_allclose(toy.eigenvalues(p), [-1.0, -1.0], atol=1e-7)
    # the paper's (1, -1/2) is not a fixed point
    assert np.max(np.abs(toy.rhs([1.0, -0.5]))) > 0.5


def test_flow_eigenvalues_sorted_by_real_part():
    # J = -I + W at the origin of a tanh network; choose W with known spectrum
    W = np.diag([0.2, 1.8, -2.5, 1.0])
    net = RateRNN(W)
    lam = net.eigenvalues(np.zeros(4))
    np.testing.assert_allclose(lam, [0.8, 0.0, -0.8, -3.5], atol=1e-14)
    assert not net.discrete


# -- maps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("with_input", [False, True])
def test_map_step_and_stability_matrix(with_input):
    m = make_tanh_map(with_input)
    drive = m.W_in @ m.u if with_input else 0.0
    X = state_for(m, 16, n=4)
    for x in X:
        G = np.tanh(m.W @ x + drive)
        np.testing.assert_allclose(m.step(x), G, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(m.rhs(x), G - x, rtol=1e-13, atol=1e-15)
        dG = np.diag(1.0 - G**2) @ m.W
        np.testing.assert_allclose(m.stability_matrix(x), dG, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(m.stability_matrix(x), m.jacobian(x) + np.eye(m.dim), atol=0)
        np.testing.assert_allclose(m.stability_matrix(x), fd_jacobian(m.step, x), atol=1e-8)
    assert m.discrete


def test_map_eigenvalues_sorted_by_modulus():
    # At the origin dG = W. Sorting by real part would give [1.5, 0.1, -2]; by modulus [-2, 1.5, 0.1].
    m = TanhMap(np.diag([0.1, -2.0, 1.5]))
    lam = m.eigenvalues(np.zeros(3))
    np.testing.assert_allclose(lam, [-2.0, 1.5, 0.1], atol=1e-14)
    # complex pair: modulus decides, not real part
    R = np.array([[0.0, -1.2], [1.2, 0.0]])  # eigenvalues +-1.2i, modulus 1.2
    m2 = TanhMap(np.block([[R, np.zeros((2, 1))], [np.zeros((1, 2)), np.array([[0.9]])]]))
    lam2 = m2.eigenvalues(np.zeros(3))
    np.testing.assert_allclose(np.abs(lam2), [1.2, 1.2, 0.9], atol=1e-14)


def test_flow_rejects_step():
    with pytest.raises(TypeError, match="continuous-time"):
        ToySystem().step([0.1, 0.2])
    with pytest.raises(TypeError, match="continuous-time"):
        make_rate_rnn("tanh", 0.0, False, False).step(np.zeros(N_SMALL))


# -- a user-defined system gets everything from the base class -----------------------------


def test_subclass_inherits_q_gradient_and_hessian():
    s = SlowSystem(0.3)
    x = np.array([0.7, -0.4])
    np.testing.assert_allclose(s.q(x), 0.5 * ((0.49 + 0.3) ** 2 + 0.16), rtol=1e-14)
    np.testing.assert_allclose(s.grad_q(x), fd_gradient(s.q, x), atol=1e-8)
    np.testing.assert_allclose(s.hessian_q(x), fd_jacobian(s.grad_q, x), atol=1e-7)
    assert "flow" in repr(s)


@pytest.mark.parametrize("make", [RateRNN, TanhMap])
def test_a_zero_size_system_is_refused_at_construction(make):
    with pytest.raises(ValueError, match=r"W must be at least 1 x 1.*got shape \(0, 0\)"):
        make(np.zeros((0, 0)))


# -- systems from plain functions: make_flow and make_map ------------------------------------


def tanh_flow_net(n=4, seed=5):
    rng = np.random.default_rng(seed)
    return RateRNN(rng.normal(0.0, 1.8 / np.sqrt(n), size=(n, n)), b=rng.normal(0.0, 0.3, size=n))


def tanh_map_parts(n, seed):
    """G(x) = tanh(W x + c) and dG = diag(1 - G^2) W, written for one state or a batch."""
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.6 / np.sqrt(n), size=(n, n))
    c = rng.normal(0.0, 0.2, size=n)

    def G(x):
        return np.tanh(x @ W.T + c)

    def dG(x):
        return (1.0 - G(x) ** 2)[..., :, None] * W

    return G, dG


def test_make_flow_reproduces_the_system_it_wraps():
    net = tanh_flow_net()
    flow = make_flow(net.rhs, net.jacobian, dim=net.dim)
    X = state_for(net, seed=2, n=5)
    assert not flow.discrete and flow.batched == {"F": True, "J": True}
    np.testing.assert_array_equal(flow.rhs(X), net.rhs(X))
    np.testing.assert_array_equal(flow.jacobian(X), net.jacobian(X))
    np.testing.assert_array_equal(flow.eigenvalues(X), net.eigenvalues(X))
    # the exact Hessian of q through finite-difference curvature
    assert flow.curvature_by_finite_differences and not net.curvature_by_finite_differences
    H = net.hessian_q(X)
    np.testing.assert_allclose(flow.hessian_q(X), H, rtol=0, atol=1e-8 * np.abs(H).max())


def test_make_map_reproduces_tanh_map():
    tm = make_tanh_map(True)
    m = make_map(tm.step, tm.stability_matrix, dim=tm.dim)
    X = state_for(tm, seed=4, n=6)
    assert m.discrete
    np.testing.assert_allclose(m.rhs(X), tm.rhs(X), rtol=0, atol=1e-15)
    np.testing.assert_allclose(m.jacobian(X), tm.jacobian(X), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(m.step(X), tm.step(X))
    np.testing.assert_array_equal(m.stability_matrix(X), tm.stability_matrix(X))
    H = tm.hessian_q(X)
    np.testing.assert_allclose(m.hessian_q(X), H, rtol=0, atol=1e-8 * np.abs(H).max())


@pytest.mark.parametrize(
    "system",
    [tanh_flow_net(6, seed=7), make_tanh_map(True), ToySystem(1.0, 0.5)],
    ids=["rate-rnn-tanh", "tanh-map", "toy"],
)
def test_finite_difference_curvature_matches_analytic(system):
    X = state_for(system, seed=8, n=4)
    V = np.random.default_rng(9).normal(size=X.shape)
    C = system._curvature(X, V)
    C_fd = DynamicalSystem._curvature(system, X, V)
    assert np.abs(C).max() > 1e-2  # a real test: the curvature is not zero here
    np.testing.assert_allclose(C_fd, C, rtol=0, atol=1e-8 * np.abs(C).max())


def test_batched_and_unbatched_functions_give_identical_fixed_points():
    n = 3
    W = np.random.default_rng(11).normal(0.0, 2.0 / np.sqrt(n), size=(n, n))

    def F_one(x):  # written for one state, shape (n,)
        return -x + W @ np.tanh(x)

    def J_one(x):
        return -np.eye(n) + W * (1.0 - np.tanh(x) ** 2)

    def F_many(X):  # written for a batch, shape (B, n)
        return -X + np.tanh(X) @ W.T

    def J_many(X):
        return -np.eye(n) + W[None] * (1.0 - np.tanh(X) ** 2)[:, None, :]

    one = make_flow(F_one, J_one, dim=n)
    many = make_flow(F_many, J_many, dim=n)
    assert one.batched == {"F": False, "J": False}
    assert many.batched == {"F": True, "J": True}
    starts = grid_starts(*[(-2.0, 2.0)] * n, n=4)
    a, b = find_fixed_points(one, starts), find_fixed_points(many, starts)
    assert a.n_fixed == b.n_fixed >= 3  # the origin and at least one mirror pair
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(a.kind, b.kind)
    # and both agree with the library's own network
    ref = find_fixed_points(RateRNN(W), starts)
    np.testing.assert_allclose(a.x, ref.x, rtol=0, atol=1e-12)


def test_batch_detection_compares_values_not_only_shapes():
    # For n = 2 and a batch of 2, this per-state function returns a (2, 2) array when handed
    # the batch, with the wrong numbers: detection must notice and loop over states.
    flow = make_flow(
        lambda x: np.array([x[1], -x[0]]), lambda x: np.array([[0.0, 1.0], [-1.0, 0.0]]), dim=2
    )
    assert flow.batched == {"F": False, "J": False}
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(flow.rhs(X), np.array([[2.0, -1.0], [4.0, -3.0], [6.0, -5.0]]))


def test_right_conventions_are_accepted_for_random_maps_and_flows():
    for n, seed in [(1, 0), (2, 1), (3, 2), (5, 3)]:
        G, dG = tanh_map_parts(n, seed)
        m = make_map(G, dG, dim=n)
        x = np.random.default_rng(seed).normal(size=n)
        np.testing.assert_allclose(m.rhs(x), G(x) - x, rtol=0, atol=1e-15)
        np.testing.assert_allclose(m.stability_matrix(x), dG(x), rtol=0, atol=0)
        make_flow(lambda x, G=G: G(x) - x, lambda x, dG=dG, n=n: dG(x) - np.eye(n), dim=n)


def test_logistic_map_from_functions_finds_both_fixed_points():
    # x <- r x (1 - x): fixed points 0 (unstable, multiplier r) and 1 - 1/r (multiplier 2 - r)
    r = 2.5
    m = make_map(lambda x: r * x * (1 - x), lambda x: (r * (1 - 2 * x))[..., None], dim=1)
    fps = find_fixed_points(m, grid_starts((-0.2, 1.2), n=8))
    np.testing.assert_allclose(np.sort(fps.x[:, 0]), [0.0, 1 - 1 / r], atol=1e-12)
    np.testing.assert_allclose(np.sort(fps.eigenvalues[:, 0].real), [2 - r, r], atol=1e-10)


def _tanh_map_dim2():
    return tanh_map_parts(2, 21)


@pytest.mark.parametrize(
    "make,pick,argument,match",
    [
        # the case: a map's Jacobian given as dG - I (the old displacement convention)
        (make_map, lambda G, dG: (G, lambda x: dG(x) - np.eye(2)), "dG", r"equals dG/dx - I"),
        # the displacement G(x) - x given as the map
        (make_map, lambda G, dG: (lambda x: G(x) - x, dG), "dG", r"is G the displacement"),
        # a flow given a map's dG with its displacement (the flow rule would be applied)
        (
            make_flow,
            lambda G, dG: (lambda x: G(x) - x, dG),
            "J",
            r"equals dF/dx \+ I.*make_map\(G, dG\)",
        ),
        # a flow given a map G and dG - I
        (make_flow, lambda G, dG: (G, lambda x: dG(x) - np.eye(2)), "J", r"equals dF/dx - I"),
        (make_map, lambda G, dG: (G, lambda x: np.swapaxes(dG(x), -1, -2)), "dG", "transposed"),
        (make_map, lambda G, dG: (G, lambda x: 2.0 * dG(x)), "dG", r"is not their Jacobian"),
    ],
    ids=[
        "map-dG-minus-I",
        "map-given-displacement",
        "flow-given-map-dG",
        "flow-given-G",
        "transposed",
        "scaled",
    ],
)
def test_wrong_conventions_are_refused_naming_the_argument(make, pick, argument, match):
    f, df = pick(*_tanh_map_dim2())
    with pytest.raises(
        ValueError, match=rf"^{argument} does not match central finite differences: .*{match}"
    ):
        make(f, df, dim=2)


def test_map_convention_error_says_what_was_expected():
    G, dG = _tanh_map_dim2()
    with pytest.raises(ValueError) as info:
        make_map(G, lambda x: dG(x) - np.eye(2), dim=2)
    msg = str(info.value)
    assert "Jacobian of the map itself" in msg and "x_{t+1} = G(x)" in msg
    with pytest.raises(ValueError, match=r"Expected J\(x\) = dF/dx.*of the flow x' = F\(x\)"):
        make_flow(lambda x: G(x) - x, dG, dim=2)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"F": 3.0}, TypeError, r"F must be a callable, got float"),
        (
            {"J": lambda x: np.zeros(2)},
            ValueError,
            r"J must take one state .* return shape \(2, 2\).*returned shape \(2,\)",
        ),
        (
            {"F": lambda x: np.zeros(3)},
            ValueError,
            r"F must take one state .*returned shape \(3,\)",
        ),
        ({"F": lambda x: 1j * x}, ValueError, r"F must take .*complex"),
        ({"dim": 0}, ValueError, r"dim"),
        ({"batched": "yes"}, TypeError, r"batched must be True, False or None"),
        (
            {"F": np.log, "J": lambda x: np.diag(1 / x)},
            ValueError,
            r"not finite at the check points.*check_at=",
        ),
        ({"check_at": [[1.0, 2.0, 3.0]]}, ValueError, r"check_at must have shape"),
    ],
    ids=["not-callable", "J-shape", "F-shape", "complex", "dim", "batched", "domain", "check_at"],
)
def test_bad_functions_get_errors_naming_them(kwargs, error, match):
    args = {"F": lambda x: -x, "J": lambda x: -np.eye(2), "dim": 2, **kwargs}
    with pytest.raises(error, match=match):
        make_flow(**args)


def test_batch_detection_with_one_check_state_is_not_fooled_by_broadcasting():
    W = np.array([[0.0, 1.0], [-1.0, 0.0]])

    def F(x):  # per-state only: with a batch of one it broadcasts to the right answer
        return -x + W @ np.tanh(x.ravel())

    flow = make_flow(
        F, lambda x: -np.eye(2) + W * (1 - np.tanh(x) ** 2), dim=2, check_at=[0.1, 0.2]
    )
    assert flow.batched == {"F": False, "J": False}
    X = np.array([[0.1, 0.2], [0.3, -0.4], [1.0, 2.0]])
    np.testing.assert_allclose(flow.rhs(X), -X + np.tanh(X) @ W.T, rtol=0, atol=1e-15)


def test_subclass_hook_that_raises_keeps_its_error_with_a_note():
    class Raises(DynamicalSystem):
        dim = 2

        def _rhs(self, X):
            raise KeyError("no such parameter")

        def _jacobian(self, X):
            return np.zeros((len(X), 2, 2))

    with pytest.raises(KeyError, match="no such parameter") as info:
        Raises()
    assert any("Raises._rhs" in note for note in info.value.__notes__)


def test_check_at_lets_a_system_with_a_domain_be_built():
    flow = make_flow(np.log, lambda x: np.diag(1 / x), dim=2, check_at=[1.0, 2.0])
    np.testing.assert_allclose(flow.rhs([1.0, np.e]), [0.0, 1.0])


def test_a_batched_function_whose_shape_changes_with_the_batch_is_caught_at_call():
    flow = make_flow(lambda x: np.squeeze(-x), lambda x: -np.eye(2) + 0 * x[..., None], dim=2)
    with pytest.raises(ValueError, match=r"F \(<lambda>\) returned shape \(2,\) for a batch of 1"):
        flow.rhs(np.ones((1, 2)))


def test_analytic_curvature_is_checked_and_used():
    net = tanh_flow_net(3, seed=12)

    def curvature(x, v):
        return net._curvature(np.atleast_2d(x), np.atleast_2d(v))[0]

    flow = make_flow(net.rhs, net.jacobian, dim=3, curvature=curvature)
    assert not flow.curvature_by_finite_differences and flow.batched["curvature"] is False
    X = state_for(net, seed=3, n=2)
    np.testing.assert_allclose(flow.hessian_q(X), net.hessian_q(X), rtol=1e-13, atol=1e-14)
    with pytest.raises(ValueError, match=r"curvature\(x, v\) must return sum_k v_k d2F_k"):
        make_flow(net.rhs, net.jacobian, dim=3, curvature=lambda x, v: 2.0 * curvature(x, v))


# -- user subclasses of DynamicalSystem: checked when constructed ------------------------------


def test_subclass_missing_a_required_method_is_refused_at_construction():
    class NoJacobian(DynamicalSystem):
        dim = 2

        def _rhs(self, X):
            return -X

    with pytest.raises(
        TypeError, match=r"NoJacobian must define _jacobian\(self, X\).*\(B, N, N\)"
    ):
        NoJacobian()


def test_subclass_with_public_names_is_told_to_use_the_hooks():
    class Public(DynamicalSystem):
        dim = 2

        def rhs(self, x):
            return -x

        def jacobian(self, x):
            return -np.eye(2)

    with pytest.raises(TypeError, match=r"Public must define _rhs.*it defines rhs.*rename yours"):
        Public()


def test_subclass_without_dim_is_refused():
    class NoDim(DynamicalSystem):
        def _rhs(self, X):
            return -X

        def _jacobian(self, X):
            return np.broadcast_to(-np.eye(X.shape[1]), (len(X), X.shape[1], X.shape[1]))

    with pytest.raises(TypeError, match=r"NoDim must set dim"):
        NoDim()


def test_subclass_with_unbatched_hooks_gets_the_shape_named():
    class OneState(DynamicalSystem):
        dim = 3

        def _rhs(self, X):
            return -X[0]

        def _jacobian(self, X):
            return -np.eye(3)

    with pytest.raises(
        ValueError, match=r"OneState._rhs must return an array of shape \(2, 3\).*got shape \(3,\)"
    ):
        OneState()


def _map_subclass(discrete, jacobian_is_dG):
    G, dG = tanh_map_parts(2, 21)

    class UserMap(DynamicalSystem):
        dim = 2

        def _rhs(self, X):
            return G(X) - X

        def _jacobian(self, X):
            return dG(X) if jacobian_is_dG else dG(X) - np.eye(2)

    UserMap.discrete = discrete
    return UserMap


def test_subclass_map_returning_dG_is_refused():
    with pytest.raises(ValueError, match=r"UserMap._jacobian .*must return its Jacobian dG/dx - I"):
        _map_subclass(True, True)()


def test_subclass_map_that_forgot_the_discrete_flag_is_refused():
    with pytest.raises(ValueError, match=r"For a flow \(discrete = False\).*set discrete = True"):
        _map_subclass(False, True)()


def test_subclass_map_in_the_right_convention_is_accepted():
    m = _map_subclass(True, False)()
    x = np.array([0.3, -0.2])
    G, dG = tanh_map_parts(2, 21)
    np.testing.assert_allclose(m.step(x), G(x), rtol=0, atol=1e-15)
    np.testing.assert_allclose(m.stability_matrix(x), dG(x), rtol=0, atol=1e-15)


def test_user_subclass_of_a_library_system_is_checked_too():
    class SignSlip(RateRNN):
        def _jacobian(self, X):
            return -super()._jacobian(X)

    W = np.random.default_rng(0).normal(size=(3, 3))
    RateRNN(W)  # the library's own class
    with pytest.raises(ValueError, match=r"SignSlip._jacobian does not match central finite"):
        SignSlip(W)


def test_subclass_wrong_curvature_is_refused():
    class BadCurvature(SlowSystem):
        def _curvature(self, X, V):
            return -super()._curvature(X, V)

    with pytest.raises(ValueError, match=r"BadCurvature._curvature\(X, V\) must return"):
        BadCurvature(0.3)


class SlowNoCurvature(DynamicalSystem):
    """SlowSystem without _curvature: the second derivatives come from finite differences."""

    dim = 2

    def __init__(self, eps):
        self.eps = eps

    def _rhs(self, X):
        return np.stack([X[:, 0] ** 2 + self.eps, -X[:, 1]], axis=1)

    def _jacobian(self, X):
        J = np.zeros((len(X), 2, 2))
        J[:, 0, 0] = 2.0 * X[:, 0]
        J[:, 1, 1] = -1.0
        return J


def test_subclass_without_curvature_gets_finite_differences():
    # Before, a missing _curvature surfaced as a bare NotImplementedError from the result builder.
    s, ref = SlowNoCurvature(1e-4), SlowSystem(1e-4)
    assert s.curvature_by_finite_differences
    x = np.array([0.7, -0.4])
    np.testing.assert_allclose(s.hessian_q(x), ref.hessian_q(x), rtol=0, atol=1e-9)
    starts = grid_starts((-1.0, 1.0), (-1.0, 1.0), n=3)
    a, b = find_fixed_points(s, starts), find_fixed_points(ref, starts)
    assert a.n_slow == b.n_slow == 1
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)


# -- starting grids in any dimension -----------------------------------------------------------


def test_grid_starts_is_grid_2d_in_two_dimensions():
    np.testing.assert_array_equal(
        grid_starts((-1.0, 1.0), (0.0, 3.0), n=(3, 4)), grid_2d((-1.0, 1.0), (0.0, 3.0), (3, 4))
    )


@pytest.mark.parametrize("dim", [1, 3, 5])
def test_grid_starts_in_any_dimension(dim):
    limits = [(-1.0 - d, 1.0 + d) for d in range(dim)]
    counts = tuple(range(2, 2 + dim))
    X = grid_starts(*limits, n=counts)
    assert X.shape == (int(np.prod(counts)), dim)
    assert len({tuple(x) for x in X}) == len(X)  # every combination once
    for d, ((lo, hi), c) in enumerate(zip(limits, counts, strict=True)):
        np.testing.assert_allclose(np.unique(X[:, d]), np.linspace(lo, hi, c))
    np.testing.assert_allclose(
        X[1] - X[0], [(limits[0][1] - limits[0][0]) / (counts[0] - 1)] + [0] * (dim - 1)
    )


@pytest.mark.parametrize(
    "args,kwargs,match",
    [
        ((), {"n": 3}, r"one \(low, high\) pair per coordinate"),
        (((1.0, -1.0),), {"n": 3}, r"limits\[0\] must be \(low, high\) with low < high"),
        (((0.0, 1.0), (0.0, np.nan)), {"n": 3}, r"limits\[1\]"),
        (((0.0, 1.0), 5.0), {"n": 3}, r"limits\[1\]"),
        (
            ((0.0, 1.0), (0.0, 1.0)),
            {"n": (3, 4, 5)},
            r"n must be one int or one per coordinate \(2\)",
        ),
        (((0.0, 1.0),), {"n": 0}, r"n"),
        ((((0.0, 1.0),) * 6), {"n": 11}, r"1771561 states.*max_states = 100000"),
    ],
    ids=["none", "reversed", "nan", "scalar", "n-length", "n-zero", "too-large"],
)
def test_grid_starts_refuses_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        grid_starts(*args, **kwargs)


# -- the README's "Your own system in ten lines" runs as written -------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Your own system in ten lines", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_own_system_example_runs_and_finds_the_fixed_points():
    block = readme_block()
    test = doctest.DocTestParser().get_doctest(block, {}, "README", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=lambda s: None, clear_globs=False)
    assert result.attempted >= 6 and result.failed == 0, "README example output differs"
    ns = test.globs
    duffing, tanh_map = ns["duffing"], ns["tanh_map"]
    assert not duffing.discrete and tanh_map.discrete
    # Duffing: x' = y, y' = x - x^3 - y/2 has (0, 0) a saddle and (+-1, 0) stable foci
    fps = find_fixed_points(duffing, ns["starts"])
    np.testing.assert_allclose(fps.x, [[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]], atol=1e-12)
    # the map's points are fixed by G itself: tanh(W x) = x
    fps = find_fixed_points(tanh_map, ns["starts"])
    W = ns["W"]
    assert fps.n_fixed == 3 and np.all(np.abs(fps.x).max(axis=1)[:2] > 0.5)
    np.testing.assert_allclose(np.tanh(fps.x @ W.T), fps.x, rtol=0, atol=1e-12)
    assert list(fps.n_unstable) == [0, 0, 1]


def _example_source(func):
    return [
        ex.source.strip()
        for ex in doctest.DocTestParser().get_examples(inspect.getdoc(func))
        if "make_" in ex.source and "Traceback" not in ex.want and ex.exc_msg is None
    ]


def test_readme_example_is_the_docstring_examples():
    block = readme_block()
    readme = [ex.source.strip() for ex in doctest.DocTestParser().get_examples(block)]
    for func in (rnnlab.make_flow, rnnlab.make_map):
        (construction,) = _example_source(func)
        assert construction in readme, f"{func.__name__}'s example differs from the README's"


def test_rate_rnn_weights_cannot_go_stale_under_the_cached_wtw():
    """The Gauss-Newton Hessian caches W^T W: W is read-only, and assigning a new W resets it."""
    W = np.random.default_rng(0).standard_normal((6, 6))
    net = RateRNN(W)
    x = np.full(6, 0.3)
    net.gauss_newton_hessian(x)  # fills the cache
    with pytest.raises(ValueError, match="read-only"):
        net.W[0, 0] = 5.0
    W[0, 0] = 5.0  # the caller's array is not the network's
    assert net.W[0, 0] != 5.0
    net.W = 2.0 * W
    J = net.jacobian(x)
    np.testing.assert_allclose(net.gauss_newton_hessian(x), J.T @ J, atol=1e-12)
    with pytest.raises(ValueError, match=r"W must keep its shape \(6, 6\)"):
        net.W = np.eye(5)
