"""FORCE (recursive least squares), teacher-forced ridge and frozen-weight evaluation.

The key check: RLS started from P0 = I/alpha is exact. After K updates with rates r_t and
targets y_t, the readout is the ridge solution

    W = argmin_W  sum_t |W r_t - y_t|^2 + alpha |W|_F^2  =  Y^T R (R^T R + alpha I)^-1

over the update steps. The rates are replayed from what training recorded (the outputs
z_t it fed back), so this holds with the full closed-loop dynamics, not only for a
reservoir whose rates ignore the readout.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from rnnlab import ESN, FlipFlopTask, ForceHistory, evaluate, fit_ridge, train_force


def ridge_solution(R, Y, alpha):
    """argmin_W sum_t |W r_t - y_t|^2 + alpha |W|^2, rows of R are r_t; shape (n_out, N)."""
    N = R.shape[1]
    return np.linalg.solve(R.T @ R + alpha * np.eye(N), R.T @ Y).T


def replay_rates(esn, inputs, outputs, x0=None):
    """The rates r_t of a training run, rebuilt from the outputs z_t it fed back."""
    x = (esn.x0 if x0 is None else x0).copy()
    rates = np.empty((len(inputs), esn.N))
    for t in range(len(inputs)):
        r = esn.phi.f(x)
        rates[t] = r
        x = x + esn.dt_over_tau * (-x + esn.W_r @ r + esn.W_fb @ outputs[t] + esn.B @ inputs[t])
    return rates


def random_problem(N=30, n_in=8, n_out=2, T=120, g=0.0, fb=False, seed=0):
    esn = ESN(N, n_in, n_out, g=g, seed=seed)
    if not fb:
        esn.W_fb = np.zeros_like(esn.W_fb)  # rates independent of the readout
    rng = np.random.default_rng(seed + 100)
    return esn, rng.normal(size=(T, n_in)), rng.normal(size=(T, n_out))


def rel_err(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


# -- the RLS algebra ---------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [1.0, 0.1, 10.0])
@pytest.mark.parametrize("every", [1, 3])
def test_rls_equals_ridge_without_feedback(alpha, every):
    """W_r = W_fb = 0: the rates depend only on the inputs, so run() gives them."""
    esn, U, Y = random_problem()
    esn.W_r = np.zeros_like(esn.W_r)
    states, _ = esn.run(U)  # the readout has no effect on the states here
    R = np.tanh(states)
    hist = train_force(esn, U, Y, alpha=alpha, update_every=every)
    steps = np.arange(0, len(U), every)
    np.testing.assert_array_equal(hist.update_steps, steps)
    W = ridge_solution(R[steps], Y[steps], alpha)
    assert rel_err(esn.W_o, W) < 1e-8
    # and the outputs it produced are those of the readout learned so far
    np.testing.assert_allclose(hist.outputs[0], 0.0)


def test_rls_from_a_starting_readout_is_ridge_towards_it():
    """With W_o0, RLS minimises alpha |W - W_o0|^2 + sum |W r - y|^2:
    W = (alpha W_o0 + Y^T R)(alpha I + R^T R)^-1."""
    esn, U, Y = random_problem(seed=4)
    esn.W_r = np.zeros_like(esn.W_r)
    R = np.tanh(esn.run(U)[0])
    W0 = np.random.default_rng(9).normal(size=esn.W_o.shape)
    alpha = 2.0
    hist = train_force(esn, U, Y, alpha=alpha, update_every=1, W_o0=W0)
    expected = np.linalg.solve(alpha * np.eye(esn.N) + R.T @ R, (alpha * W0 + Y.T @ R).T).T
    assert rel_err(esn.W_o, expected) < 1e-8
    np.testing.assert_array_equal(hist.snapshots[0], W0)
    np.testing.assert_allclose(hist.outputs[0], W0 @ R[0], rtol=1e-12)


@pytest.mark.parametrize("every", [1, 2, 5])
def test_rls_equals_ridge_with_closed_loop_dynamics(every):
    """Full dynamics (reservoir and feedback): replay the rates from the recorded outputs."""
    esn, U, Y = random_problem(N=40, n_in=3, n_out=3, T=300, g=0.8, fb=True, seed=3)
    hist = train_force(esn, U, Y, alpha=1.0, update_every=every, snapshot_every=1)
    R = replay_rates(ESN(40, 3, 3, g=0.8, seed=3), U, hist.outputs)
    steps = hist.update_steps
    assert rel_err(esn.W_o, ridge_solution(R[steps], Y[steps], 1.0)) < 1e-8
    # every intermediate readout is the ridge solution of the updates it has seen ...
    for j in (1, 2, 7, len(steps) // 2):
        assert hist.snapshot_updates[j] == j
        W_j = ridge_solution(R[steps[:j]], Y[steps[:j]], 1.0)
        assert rel_err(hist.snapshots[j], W_j) < 1e-8
    # ... and z_t was computed with the readout of the updates before t (t itself excluded)
    n_before = np.searchsorted(steps, np.arange(len(U)), side="left")
    Z = np.einsum("toN,tN->to", hist.snapshots[n_before], R)
    np.testing.assert_allclose(hist.outputs, Z, rtol=1e-9, atol=1e-9)


def test_rls_stays_exact_over_many_updates_with_correlated_rates():
    """Many more updates than units, nearly collinear rates and a small alpha: P shrinks by
    orders of magnitude; a P that lost symmetry or definiteness would drift from ridge."""
    N, T = 25, 1500
    esn = ESN(N, 2, 1, g=0.0, seed=4)
    esn.W_fb = np.zeros_like(esn.W_fb)
    rng = np.random.default_rng(0)
    U = 0.3 * np.cumsum(rng.normal(size=(T, 2)), axis=0) / np.sqrt(np.arange(1, T + 1))[:, None]
    states, _ = esn.run(U)
    R = np.tanh(states)
    Y = R @ rng.normal(size=(N, 1)) + 0.01 * rng.normal(size=(T, 1))  # learnable targets
    alpha = 1e-2
    hist = train_force(esn, U, Y, alpha=alpha, update_every=1)
    G = R.T @ R
    assert np.linalg.cond(G + alpha * np.eye(N)) > 1e4  # a hard problem for round-off
    W = ridge_solution(R, Y, alpha)
    assert rel_err(esn.W_o, W) < 1e-8
    assert np.all(np.isfinite(hist.readout_norm))
    # the training error ends small: the readout tracks the target
    assert np.mean(hist.error[-200:]) < 1e-2 * np.mean(Y**2)


# -- what the history records ------------------------------------------------------------


def test_history_bookkeeping():
    esn, U, Y = random_problem(N=30, n_in=3, n_out=2, T=101, g=0.7, fb=True, seed=5)
    hist = train_force(esn, U, Y, update_every=2, snapshot_every=5)
    assert isinstance(hist, ForceHistory)
    n_updates = 51  # t = 0, 2, ..., 100
    np.testing.assert_array_equal(hist.update_steps, np.arange(0, 101, 2))
    assert hist.readout_norm.shape == (n_updates,)
    assert hist.outputs.shape == hist.targets.shape == (101, 2)
    np.testing.assert_array_equal(hist.targets, Y)
    np.testing.assert_allclose(hist.error, np.mean((hist.outputs - Y) ** 2, axis=1), rtol=1e-14)
    np.testing.assert_array_equal(hist.outputs[0], 0.0)  # W_o = 0 before the first update
    # snapshots: the zero readout, then every 5 updates
    assert hist.snapshots.shape == (1 + n_updates // 5, 2, 30)
    np.testing.assert_array_equal(hist.snapshot_updates, np.arange(0, n_updates + 1, 5))
    assert not np.any(hist.snapshots[0])
    # the readout is replaced by the trained one
    assert esn.W_o.shape == (2, 30) and np.any(esn.W_o)
    assert hist.readout_norm[-1] == pytest.approx(np.linalg.norm(esn.W_o), rel=1e-12)
    assert hist.seconds > 0


def test_readout_norm_and_snapshots_follow_every_update():
    esn, U, Y = random_problem(N=20, n_in=2, n_out=1, T=40, g=0.5, fb=True, seed=6)
    hist = train_force(esn, U, Y, update_every=1, snapshot_every=1)
    assert len(hist.snapshots) == 41
    norms = np.linalg.norm(hist.snapshots[1:].reshape(40, -1), axis=1)
    np.testing.assert_allclose(hist.readout_norm, norms, rtol=1e-12)
    np.testing.assert_array_equal(hist.snapshots[-1], esn.W_o)


def test_update_every_longer_than_sequence_updates_once():
    esn, U, Y = random_problem(N=20, n_in=2, n_out=1, T=30, seed=7)
    esn.W_r = np.zeros_like(esn.W_r)
    hist = train_force(esn, U, Y, alpha=2.0, update_every=100)
    np.testing.assert_array_equal(hist.update_steps, [0])
    r0 = np.tanh(esn.x0)
    # one RLS step from W = 0: W = y0 r0^T / (alpha + |r0|^2)
    np.testing.assert_allclose(esn.W_o, Y[:1].T @ r0[None, :] / (2.0 + r0 @ r0), rtol=1e-12)


def test_x0_argument_sets_the_training_start():
    esn, U, Y = random_problem(N=20, n_in=2, n_out=1, T=60, g=0.5, fb=True, seed=8)
    x0 = np.random.default_rng(1).normal(size=20)
    hist = train_force(esn, U, Y, x0=x0)
    R = replay_rates(ESN(20, 2, 1, g=0.5, seed=8), U, hist.outputs, x0=x0)
    steps = hist.update_steps
    assert rel_err(esn.W_o, ridge_solution(R[steps], Y[steps], 1.0)) < 1e-8


# -- the flip-flop -----------------------------------------------------------------------

RECIPE = FlipFlopTask(1, pulse_rate=0.01, pulse_at_start=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_force_learns_the_flip_flop(seed):
    """COURSE recipe at small size: g = 0.6, every channel pulsed at t = 0. Measured with
    4000 steps over seeds 0-3: accuracy 0.976-0.983, settled accuracy 1.0."""
    esn = ESN(200, 1, 1, g=0.6, seed=seed)
    u, y = RECIPE.generate(4000, seed=100 + seed)
    hist = train_force(esn, u, y)
    assert np.mean(hist.error[-1000:]) < 0.1  # training error, low by construction
    ut, yt = RECIPE.generate(4000, seed=200 + seed)  # a fresh sequence
    result = evaluate(esn, ut, yt)
    assert result["settled_accuracy"] > 0.9
    assert result["accuracy"] > 0.9
    assert result["mse"] < 0.2


def test_ridge_needs_noise_in_the_fed_back_target():
    """Measured over seeds 0-5 (N = 200, 8000 steps): with noise 0.5 accuracy 0.97-0.99
    and settled accuracy 1.0; without noise the closed loop runs away (mse 400-1000)."""
    u, y = RECIPE.generate(8000, seed=100)
    ut, yt = RECIPE.generate(4000, seed=200)
    for seed in (0, 1):
        noisy = ESN(200, 1, 1, g=0.6, seed=seed)
        W = fit_ridge(noisy, u, y, noise=0.5, seed=seed)
        np.testing.assert_array_equal(W, noisy.W_o)
        good = evaluate(noisy, ut, yt)
        clean = ESN(200, 1, 1, g=0.6, seed=seed)
        fit_ridge(clean, u, y, noise=0.0, seed=seed)
        bad = evaluate(clean, ut, yt)
        assert good["accuracy"] > 0.9 and good["settled_accuracy"] > 0.9
        assert good["mse"] < 0.5
        assert bad["mse"] > 10 * good["mse"]
        assert bad["accuracy"] < good["accuracy"] - 0.2


def test_ridge_without_noise_fits_the_teacher_forced_rates():
    """noise = 0, ridge = 0 and a washout: the readout is the least-squares fit of the
    targets on the teacher-forced rates (replayed here with y fed back)."""
    esn, U, Y = random_problem(N=20, n_in=2, n_out=1, T=200, g=0.5, fb=True, seed=9)
    W = fit_ridge(esn, U, Y, noise=0.0, ridge=0.0, washout=10, seed=0)
    R = replay_rates(ESN(20, 2, 1, g=0.5, seed=9), U, Y)[10:]
    W_ls = np.linalg.lstsq(R, Y[10:], rcond=None)[0].T
    np.testing.assert_allclose(W, W_ls, rtol=1e-6, atol=1e-8)


# -- evaluate ----------------------------------------------------------------------------


def predictable_esn():
    """N = 2, W_r = W_fb = B = 0, x0 = (1, 1), W_o = (1, 0): x_t = 0.9^t x0 and
    z_t = tanh(0.9^t) > 0 whatever the input."""
    esn = ESN(2, 1, 1, g=0.0, seed=0)
    esn.W_fb = np.zeros_like(esn.W_fb)
    esn.B = np.zeros_like(esn.B)
    esn.x0 = np.ones(2)
    esn.set_readout([[1.0, 0.0]])
    return esn


def test_evaluate_on_a_predictable_network():
    esn = predictable_esn()
    T = 100
    u = np.zeros((T, 1))
    u[20:23] = 1.0  # a 3-sample pulse ...
    u[60] = -1.0  # ... and a 1-sample one
    y = np.zeros((T, 1))
    y[5:50] = 1.0  # 45 steps the output gets right (z > 0) ...
    y[50:80] = -1.0  # ... 30 it gets wrong; 0 (undefined) at t < 5 and t >= 80
    z = np.tanh(0.9 ** np.arange(T))[:, None]
    result = evaluate(esn, u, y, settle=10)
    assert result["mse"] == pytest.approx(np.mean((z - y) ** 2), rel=1e-12)
    assert result["accuracy"] == pytest.approx(45 / 75)
    # settled: not within 10 steps after a pulse sample, i.e. t not in 20..32 or 60..70:
    # right: 5..49 minus 13 steps = 32; wrong: 50..79 minus 11 steps = 19
    assert result["settled_accuracy"] == pytest.approx(32 / 51)


def test_evaluate_with_zero_readout_is_never_right():
    esn = predictable_esn()
    esn.set_readout(np.zeros((1, 2)))
    u, y = FlipFlopTask(1, pulse_rate=0.02, pulse_at_start=True).generate(300, seed=0)
    result = evaluate(esn, u, y)
    assert result == {"mse": 1.0, "accuracy": 0.0, "settled_accuracy": 0.0}


def test_evaluate_uses_the_given_start():
    esn = predictable_esn()
    y = np.ones((50, 1))
    assert evaluate(esn, np.zeros((50, 1)), y)["accuracy"] == 1.0
    assert evaluate(esn, np.zeros((50, 1)), y, x0=-np.ones(2))["accuracy"] == 0.0


# -- validation --------------------------------------------------------------------------


def small():
    esn = ESN(10, 2, 1, seed=0)
    u, y = np.zeros((20, 2)), np.zeros((20, 1))
    return esn, u, y


@pytest.mark.parametrize("func", [train_force, evaluate, fit_ridge])
@pytest.mark.parametrize(
    ("which", "bad", "name"),
    [
        ("inputs", np.zeros((20, 3)), "inputs"),  # wrong n_in
        ("inputs", np.zeros(20), "inputs"),
        ("targets", np.zeros((19, 1)), "targets"),  # length mismatch
        ("targets", np.zeros((20, 2)), "targets"),  # wrong n_out
        ("targets", np.full((20, 1), np.inf), "targets"),
    ],
)
def test_bad_sequences_are_rejected(func, which, bad, name):
    esn, u, y = small()
    args = {"inputs": u, "targets": y, which: bad}
    extra = {"seed": 0} if func is fit_ridge else {}
    with pytest.raises(ValueError, match=name):
        func(esn, args["inputs"], args["targets"], **extra)


@pytest.mark.parametrize("func", [train_force, evaluate, fit_ridge])
def test_esn_must_be_an_esn(func):
    _, u, y = small()
    with pytest.raises(TypeError, match="esn"):
        func(object(), u, y, **({"seed": 0} if func is fit_ridge else {}))


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"alpha": 0.0}, ValueError, "alpha"),
        ({"alpha": -1.0}, ValueError, "alpha"),
        ({"alpha": np.nan}, ValueError, "alpha"),
        ({"update_every": 0}, ValueError, "update_every"),
        ({"update_every": 1.5}, TypeError, "update_every"),
        ({"snapshot_every": 0}, ValueError, "snapshot_every"),
        ({"x0": np.zeros(9)}, ValueError, "x0"),
        ({"W_o0": np.zeros((2, 9))}, ValueError, "W_o0"),
    ],
)
def test_bad_force_options_are_rejected(kwargs, error, name):
    esn, u, y = small()
    with pytest.raises(error, match=name):
        train_force(esn, u, y, **kwargs)
    assert not np.any(esn.W_o)  # a rejected call leaves the network alone


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"noise": -0.1}, ValueError, "noise"),
        ({"ridge": -1.0}, ValueError, "ridge"),
        ({"washout": 20}, ValueError, "washout"),
        ({"washout": -1}, ValueError, "washout"),
    ],
)
def test_bad_ridge_options_are_rejected(kwargs, error, name):
    esn, u, y = small()
    with pytest.raises(error, match=name):
        fit_ridge(esn, u, y, **{"seed": 0, **kwargs})


def test_bad_settle_is_rejected():
    esn, u, y = small()
    with pytest.raises(ValueError, match="settle"):
        evaluate(esn, u, y, settle=0)


# -- speed -------------------------------------------------------------------------------

_PROBE = """
import json
import rnnlab  # first, as in a notebook
from threadpoolctl import ThreadpoolController
from rnnlab._internal.blas import blas_limited

@blas_limited
def probe():
    return [(i["filepath"], i["num_threads"]) for i in ThreadpoolController().select(user_api="blas").info()]

print(json.dumps(probe()))
"""


def test_training_loops_run_every_blas_on_one_thread():
    """train_force calls scipy.linalg.blas (dsymv, dsyr): scipy's own OpenBLAS must be
    limited to one thread too, or on a busy 2-core machine FORCE runs ~10x slower."""
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    libs = json.loads(out.stdout.strip().splitlines()[-1])
    assert any("scipy" in path for path, _ in libs)  # scipy's OpenBLAS is loaded
    assert all(n == 1 for _, n in libs), f"BLAS libraries not limited to one thread: {libs}"
