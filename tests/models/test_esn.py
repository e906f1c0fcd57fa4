"""The echo state network: its random matrices, its update, its closed loop, persistence.

``run`` is compared with a plain loop written from the equations,
x <- x + a (-x + W_r r + W_fb z + B u), z = W_o r, and the closed-loop rate network with
the same equations in continuous time; its fixed points must be rest states of ``run``.
"""

import numpy as np
import pytest

from rnnlab import ESN, RateRNN, find_fixed_points

H_FD = 1e-6


def reference_run(esn, inputs, x0, W_o):
    """The ESN update, one line per equation."""
    phi = np.tanh if esn.phi.name == "tanh" else (lambda v: 1.0 / (1.0 + np.exp(-v)))
    x = np.array(x0, dtype=float)
    states, outputs = [], []
    for u in inputs:
        r = phi(x)
        z = W_o @ r
        states.append(x.copy())
        outputs.append(z)
        x = x + esn.dt_over_tau * (-x + esn.W_r @ r + esn.W_fb @ z + esn.B @ u)
    return np.array(states), np.array(outputs)


def fd_jacobian(f, x, h=H_FD):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


def random_readout(esn, scale=1.0, seed=1):
    return np.random.default_rng(seed).normal(0.0, scale / np.sqrt(esn.N), (esn.n_out, esn.N))


# -- construction ------------------------------------------------------------------------


def test_shapes_and_distributions():
    N, g = 1000, 1.5
    esn = ESN(N, 3, 2, g=g, seed=0)
    assert esn.W_r.shape == (N, N)
    assert esn.W_fb.shape == (N, 2)
    assert esn.B.shape == (N, 3)
    assert esn.W_o.shape == (2, N)
    assert esn.x0.shape == (N,)
    assert abs(esn.W_r.std() / (g / np.sqrt(N)) - 1) < 0.01  # 1e6 samples: ~0.07 % error
    assert abs(esn.W_r.mean()) < 0.01 * g / np.sqrt(N) * 10
    for M in (esn.W_fb, esn.B):
        assert M.min() >= -1 and M.max() <= 1
        assert abs(M.var() - 1 / 3) < 0.05  # variance of U(-1, 1)
        assert abs(M.mean()) < 0.1
    assert not np.any(esn.W_o)
    assert abs(esn.x0.std() - 0.5) < 0.05
    assert abs(esn.x0.mean()) < 0.1
    assert "untrained" in repr(esn)


def test_gain_scales_the_reservoir_only():
    a = ESN(100, 2, 2, g=1.0, seed=3)
    b = ESN(100, 2, 2, g=0.5, seed=3)
    np.testing.assert_allclose(b.W_r, 0.5 * a.W_r, rtol=1e-14)
    np.testing.assert_array_equal(a.W_fb, b.W_fb)
    np.testing.assert_array_equal(a.B, b.B)
    np.testing.assert_array_equal(a.x0, b.x0)


def test_same_seed_same_network_different_seed_different():
    a, b, c = ESN(80, 2, 3, seed=4), ESN(80, 2, 3, seed=4), ESN(80, 2, 3, seed=5)
    for name in ("W_r", "W_fb", "B", "x0", "W_o"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("W_r", "W_fb", "B", "x0"):
        assert not np.array_equal(getattr(a, name), getattr(c, name))
    assert ESN(80, 2, 3, seed=np.int64(4)).seed == 4


# -- dynamics ----------------------------------------------------------------------------


@pytest.mark.parametrize("phi", ["tanh", "logistic"])
def test_run_matches_reference_loop(phi):
    esn = ESN(60, 2, 3, g=1.2, dt_over_tau=0.2, phi=phi, seed=2)
    esn.set_readout(random_readout(esn, 2.0))
    u = np.random.default_rng(0).normal(size=(150, 2))
    states, outputs = esn.run(u)
    ref_states, ref_outputs = reference_run(esn, u, esn.x0, esn.W_o)
    assert states.shape == (150, 60) and outputs.shape == (150, 3)
    np.testing.assert_allclose(states, ref_states, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(outputs, ref_outputs, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(states[0], esn.x0)  # x_t is the state before u_t arrives


def test_run_with_explicit_x0_and_readout_leaves_network_unchanged():
    esn = ESN(40, 1, 2, g=0.8, seed=6)
    x0 = np.random.default_rng(1).normal(size=40)
    W_o = random_readout(esn, 1.5)
    u = np.random.default_rng(2).normal(size=(60, 1))
    states, outputs = esn.run(u, x0=x0, W_o=W_o)
    ref_states, ref_outputs = reference_run(esn, u, x0, W_o)
    np.testing.assert_allclose(states, ref_states, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(outputs, ref_outputs, rtol=1e-10, atol=1e-10)
    assert not np.any(esn.W_o)  # the readout argument does not replace esn.W_o
    np.testing.assert_array_equal(states[0], x0)
    assert not np.any(esn.readout(states))  # untrained readout: 0
    esn.set_readout(W_o)
    np.testing.assert_allclose(esn.readout(states), outputs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(esn.readout(states[5]), outputs[5], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("phi", ["tanh", "logistic"])
def test_closed_loop_jacobian(phi):
    esn = ESN(12, 2, 3, g=1.3, phi=phi, seed=8)
    esn.set_readout(random_readout(esn, 3.0))
    sys = esn.closed_loop()
    assert isinstance(sys, RateRNN) and sys.dim == 12
    x = np.random.default_rng(3).normal(size=12)
    W_c = esn.W_r + esn.W_fb @ esn.W_o
    r = esn.phi.f(x)
    dphi = r * (1 - r) if phi == "logistic" else 1 - r**2
    np.testing.assert_allclose(sys.rhs(x), -x + W_c @ r, rtol=1e-12, atol=1e-12)
    J_expected = -np.eye(12) + W_c * dphi[None, :]
    np.testing.assert_allclose(sys.jacobian(x), J_expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sys.jacobian(x), fd_jacobian(sys.rhs, x), rtol=1e-6, atol=1e-8)


def test_closed_loop_with_input_includes_B_u():
    esn = ESN(10, 2, 1, g=0.9, seed=9)
    esn.set_readout(random_readout(esn))
    u = np.array([0.7, -1.0])
    x = np.random.default_rng(4).normal(size=10)
    W_c = esn.W_r + esn.W_fb @ esn.W_o
    np.testing.assert_allclose(
        esn.closed_loop(u).rhs(x), -x + W_c @ np.tanh(x) + esn.B @ u, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        esn.closed_loop(u).rhs(x) - esn.closed_loop().rhs(x), esn.B @ u, rtol=1e-12, atol=1e-12
    )
    other = random_readout(esn, seed=2)
    W_c2 = esn.W_r + esn.W_fb @ other
    np.testing.assert_allclose(
        esn.closed_loop(u, W_o=other).rhs(x),
        -x + W_c2 @ np.tanh(x) + esn.B @ u,
        rtol=1e-12,
        atol=1e-12,
    )


def bistable_esn(phi="tanh"):
    """A readout that feeds the output back strongly: z = s W_fb^T r / N makes W_c have a
    large eigenvalue along W_fb, so the closed loop has fixed points away from the origin."""
    esn = ESN(30, 1, 1, g=0.5, phi=phi, seed=11)
    esn.set_readout(6.0 * esn.W_fb.T / esn.N)
    return esn


@pytest.mark.parametrize(("phi", "u"), [("tanh", None), ("logistic", None), ("tanh", 0.3)])
def test_closed_loop_fixed_points_are_rest_states_of_run(phi, u):
    esn = bistable_esn(phi)
    sys = esn.closed_loop() if u is None else esn.closed_loop(np.array([u]))
    rng = np.random.default_rng(5)
    starts = np.vstack([3 * esn.W_fb[:, 0], -3 * esn.W_fb[:, 0], rng.normal(size=(4, esn.N))])
    fps = find_fixed_points(sys, starts)
    fixed = fps.x[fps.status == "fixed"]
    assert len(fixed) >= (3 if phi == "tanh" else 1)  # tanh: two memories, a saddle
    assert np.max(np.linalg.norm(fixed, axis=1)) > 1  # not only the origin
    inputs = np.full((300, 1), 0.0 if u is None else u)
    for x_star in fixed:
        states, outputs = esn.run(inputs, x0=x_star)
        drift = np.max(np.abs(states - x_star))
        assert drift < 1e-6, f"fixed point moved by {drift:.2e} under run"
        np.testing.assert_allclose(outputs - esn.readout(x_star), 0.0, atol=1e-6)


def test_set_readout_validates_shape():
    esn = ESN(20, 2, 3, seed=0)
    with pytest.raises(ValueError, match="W_o"):
        esn.set_readout(np.zeros((3, 21)))
    with pytest.raises(ValueError, match="W_o"):
        esn.set_readout(np.zeros(60))
    esn.set_readout(np.ones((3, 20)))
    assert "trained" in repr(esn) and "untrained" not in repr(esn)


# -- persistence -------------------------------------------------------------------------


@pytest.mark.parametrize("phi", ["tanh", "logistic"])
def test_save_load_round_trip(tmp_path, phi):
    esn = ESN(50, 2, 3, g=0.7, dt_over_tau=0.05, phi=phi, seed=12)
    esn.set_readout(random_readout(esn, 2.0))
    path = tmp_path / "net.npz"
    esn.save(path)
    loaded = ESN.load(path)
    assert loaded.config() == esn.config()
    assert loaded.phi.name == phi
    for name in ("W_r", "W_fb", "B", "x0", "W_o"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(esn, name))
    u = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_array_equal(loaded.run(u)[1], esn.run(u)[1])


def test_save_load_round_trip_without_npz_suffix(tmp_path):
    """load(path) must find what save(path) wrote, whatever the file name."""
    esn = ESN(20, 1, 1, seed=3)
    esn.set_readout(random_readout(esn))
    path = tmp_path / "trained_net"
    esn.save(path)
    np.testing.assert_array_equal(ESN.load(path).W_o, esn.W_o)


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as data:
        content = {k: data[k] for k in data.files}
    content.update(changes)
    np.savez_compressed(path, **content)


def test_tampered_checksum_is_rejected(tmp_path):
    esn = ESN(30, 1, 1, seed=1)
    path = tmp_path / "net.npz"
    esn.save(path)
    _rewrite(path, checksum=np.asarray("0" * 64))
    with pytest.raises(RuntimeError, match="differs"):
        ESN.load(path)


def test_seed_swapped_in_file_is_caught_by_checksum(tmp_path):
    path = tmp_path / "net.npz"
    ESN(30, 1, 1, seed=1).save(path)
    _rewrite(path, seed=np.asarray(2))
    with pytest.raises(RuntimeError, match="differs"):
        ESN.load(path)


def test_readout_of_wrong_shape_in_file_is_rejected(tmp_path):
    path = tmp_path / "net.npz"
    ESN(30, 1, 2, seed=1).save(path)
    _rewrite(path, W_o=np.zeros((2, 31)))
    with pytest.raises(ValueError, match="W_o"):
        ESN.load(path)


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        ((0,), {}, ValueError, "N"),
        ((-3,), {}, ValueError, "N"),
        ((10.0,), {}, TypeError, "N"),
        ((10, 0), {}, ValueError, "n_in"),
        ((10, 1, 0), {}, ValueError, "n_out"),
        ((10,), {"g": -1.0}, ValueError, "g"),
        ((10,), {"dt_over_tau": 1.5}, ValueError, "dt_over_tau"),
        ((10,), {"dt_over_tau": 0.0}, ValueError, "dt_over_tau"),
        ((10,), {"phi": "relu"}, ValueError, "phi"),
        ((10,), {"phi": "sigmoid"}, ValueError, "phi"),
    ],
)
def test_bad_construction_is_rejected(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        ESN(*args, **{"seed": 0, **kwargs})


@pytest.mark.parametrize("seed", [1.5, "0", None, True])
def test_seed_must_be_an_integer(seed):
    with pytest.raises(TypeError, match="seed"):
        ESN(10, seed=seed)


def test_seed_is_required():
    with pytest.raises(TypeError):
        ESN(10)  # type: ignore[call-arg]


def test_zero_gain_is_allowed():
    assert not np.any(ESN(10, g=0.0, seed=0).W_r)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"inputs": np.zeros((10, 3))}, "inputs"),
        ({"inputs": np.zeros(10)}, "inputs"),
        ({"inputs": np.zeros((10, 2, 1))}, "inputs"),
        ({"inputs": np.full((10, 2), np.nan)}, "inputs"),
        ({"inputs": np.zeros((10, 2)), "x0": np.zeros(9)}, "x0"),
        ({"inputs": np.zeros((10, 2)), "W_o": np.zeros((2, 20))}, "W_o"),
    ],
)
def test_bad_run_inputs_are_rejected(kwargs, name):
    esn = ESN(20, 2, 1, seed=0)
    with pytest.raises(ValueError, match=name):
        esn.run(**kwargs)


def test_closed_loop_rejects_bad_input_size():
    esn = ESN(20, 2, 1, seed=0)
    with pytest.raises(ValueError, match="u"):
        esn.closed_loop(np.zeros(3))


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros(49), r"x must have shape \(50,\) or \(\.\.\., 50\)"),
        (np.zeros((2, 3, 51)), r"got an array of shape \(2, 3, 51\)"),
        (np.array([np.inf] * 50), "x contains NaN or inf"),
    ],
)
def test_readout_refuses_states_of_the_wrong_size(x, message):
    esn = ESN(50, 3, 2, g=0.5, seed=0)
    with pytest.raises(ValueError, match=message):
        esn.readout(x)
    assert esn.readout(np.zeros((2, 3, 50))).shape == (2, 3, 2)
