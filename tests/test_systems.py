"""Systems: analytic derivatives against finite differences, batching, symmetry, maps.

Every derivative the library computes analytically (J, phi', phi'', grad q, Hessians of q)
is compared with central finite differences of the quantity it differentiates, so a
wrong sign or a transposed index cannot hide.
"""

import numpy as np
import pytest
import scipy.optimize
from slow_system import SlowSystem

from rnnlab import RateRNN, TanhMap, ToySystem, esn_closed_loop, nonlinearity

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


def make_map(with_input, seed=3, n=5):
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
    out.append(("map", make_map(False)))
    out.append(("map(input)", make_map(True)))
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
    ("map with input", make_map(True), None),
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
    m = make_map(with_input)
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
