"""Event-triggered averages: held bits, switch times, the average on a known signal, PCA."""

import numpy as np
import pytest

from rnnlab.flipflop.triggered import (
    fit_damped_oscillation,
    held_bits,
    leading_rotations,
    switch_times,
    triggered_average,
)
from rnnlab.tasks.flipflop import FlipFlopTask


def _inputs():
    U = np.zeros((60, 3))
    U[0] = [-1, -1, -1]
    U[10, 2] = 1  # (-1,-1,-1) -> (-1,-1,1) at 10
    U[20, 2] = -1  # back
    U[40, 2] = 1  # again at 40
    U[45, 0] = 1  # another pulse 5 steps later
    return U


def test_held_bits_are_the_last_pulse():
    bits = held_bits(_inputs())
    np.testing.assert_array_equal(bits[0], [-1, -1, -1])
    np.testing.assert_array_equal(bits[15], [-1, -1, 1])
    np.testing.assert_array_equal(bits[59], [1, -1, 1])
    assert np.all(held_bits(np.zeros((3, 2))) == 0)


def test_held_bits_match_the_task_targets():
    task = FlipFlopTask(3, pulse_rate=0.05, pulse_length=1, pulse_at_start=True)
    u, y = task.generate(500, seed=3)
    np.testing.assert_array_equal(held_bits(u), y)


def test_switch_times():
    np.testing.assert_array_equal(switch_times(_inputs(), (-1, -1, -1), (-1, -1, 1)), [10, 40])
    np.testing.assert_array_equal(switch_times(_inputs(), (-1, -1, 1), (-1, -1, -1)), [20])


def test_average_of_a_known_signal_and_quiet_events():
    U = _inputs()
    T = len(U)
    S = np.zeros((T, 4))
    S[:, 0] = np.arange(T)  # the average of t + tau over events at 10 only is 10 + tau
    S[:, 1] = np.sin(np.arange(T))
    tr = triggered_average(S, S[:, :3], U, pre=3, post=8, n_components=2)
    np.testing.assert_array_equal(tr.times, [10])  # 40 has a pulse at 45 within post
    np.testing.assert_array_equal(tr.lags, np.arange(-3, 9))
    np.testing.assert_allclose(tr.states[:, 0], 10 + tr.lags)
    np.testing.assert_allclose(tr.outputs[:, 1], np.sin(10 + tr.lags))
    assert tr.projection.shape == (12, 2) and tr.n_events == 1
    tr2 = triggered_average(S, S[:, :3], U, pre=3, post=4, n_components=2)
    np.testing.assert_array_equal(tr2.times, [10, 40])
    np.testing.assert_allclose(tr2.states[:, 0], 25 + tr2.lags)


def test_errors():
    U = _inputs()
    S = np.zeros((60, 4))
    with pytest.raises(ValueError, match=r"before must be 3 values of ±1"):
        switch_times(U, (0, -1, -1), (-1, -1, 1))
    with pytest.raises(ValueError, match="must differ"):
        switch_times(U, (1, 1, 1), (1, 1, 1))
    with pytest.raises(ValueError, match="same T"):
        triggered_average(S[:50], S[:, :3], U)
    with pytest.raises(ValueError, match="no clean switch"):
        triggered_average(S, S[:, :3], U, before=(1, 1, 1), after=(1, 1, -1))


# -- fit_damped_oscillation / leading_rotations ------------------------------------------


def _damped(t, offset, amp, r, omega, phase, t0=0.0):
    tau = np.asarray(t, dtype=float) - t0
    return offset + amp * r**tau * np.cos(omega * tau + phase)


@pytest.mark.parametrize(
    ("shift_deg", "omega", "r"), [(90, 0.9, 0.88), (-60, 2.5, 0.8), (30, 0.3, 1.04)]
)
def test_fit_recovers_a_known_phase_shift(shift_deg, omega, r):
    t = np.arange(3, 28)  # starts at 3, as the chapter's fits do: phases refer to t[0]
    phi1 = 0.4
    phi0 = phi1 + np.radians(shift_deg)
    X = np.c_[
        _damped(t, 2.0, 1.5, r, omega, phi0, t0=3), _damped(t, -1.0, 0.7, r, omega, phi1, t0=3)
    ]
    fit = fit_damped_oscillation(t, X)
    assert fit.frequency == pytest.approx(omega, abs=1e-6)
    assert fit.frequency_deg == pytest.approx(np.degrees(omega), abs=1e-4)
    assert fit.decay == pytest.approx(r, abs=1e-6)
    assert fit.phase_shift(0, 1) == pytest.approx(shift_deg, abs=1e-4)  # signal 0 leads if > 0
    assert fit.phase_shift(1, 0) == pytest.approx(-shift_deg, abs=1e-4)
    assert fit.phase_shift(0, 1, degrees=False) == pytest.approx(np.radians(shift_deg), abs=1e-6)
    np.testing.assert_allclose(fit.offsets, [2.0, -1.0], atol=1e-6)
    np.testing.assert_allclose(fit.amplitudes, [1.5, 0.7], atol=1e-6)
    assert fit.t0 == 3 and fit.r2 == pytest.approx(1.0, abs=1e-9)
    assert fit.period == pytest.approx(2 * np.pi / omega)
    np.testing.assert_allclose(fit(t), X, atol=1e-6)


def test_phase_shift_without_sign_folds_a_flipped_component():
    t = np.arange(20)
    a = _damped(t, 0.0, 1.0, 0.9, 1.1, 0.3)
    b = _damped(t, 0.0, 1.0, 0.9, 1.1, 0.3 - np.radians(70))
    fit = fit_damped_oscillation(t, np.c_[a, b])
    flipped = fit_damped_oscillation(t, np.c_[a, -b])  # a principal component's sign is arbitrary
    assert fit.phase_shift() == pytest.approx(70, abs=1e-4)
    assert flipped.phase_shift() == pytest.approx(70 - 180, abs=1e-4)
    assert flipped.phase_shift(sign_free=True) == pytest.approx(70, abs=1e-4)
    assert fit.phase_shift(sign_free=True) == pytest.approx(70, abs=1e-4)


def test_fit_of_a_noisy_single_signal():
    rng = np.random.default_rng(0)
    t = np.arange(30)
    x = _damped(t, 0.5, 2.0, 0.9, 0.7, -1.0) + rng.normal(scale=0.05, size=len(t))
    fit = fit_damped_oscillation(t, x)
    assert abs(fit.frequency - 0.7) < 0.02 and abs(fit.decay - 0.9) < 0.02
    assert abs(fit.phases[0] + 1.0) < 0.05 and 0.95 < fit.r2 < 1
    assert fit.amplitudes.shape == (1,)


def test_fitted_frequency_is_arg_mu_of_a_linear_rotation():
    # x_{t+1} = A x_t with A = P (r R_theta) P^-1: every component of x turns by arg mu = theta
    # per step and shrinks by |mu| = r, whatever the (skewed) basis P.
    theta, r = np.radians(75), 0.9
    R = r * np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    P = np.array([[1.0, 0.6], [0.2, 1.3]])
    A = P @ R @ np.linalg.inv(P)
    x = np.empty((25, 2))
    x[0] = [1.0, -0.5]
    for k in range(1, 25):
        x[k] = A @ x[k - 1]
    moduli, angles = leading_rotations(np.linalg.eigvals(A), 1)
    fit = fit_damped_oscillation(np.arange(25), x)
    assert fit.frequency == pytest.approx(angles[0], abs=1e-6) == pytest.approx(theta)
    assert fit.decay == pytest.approx(moduli[0], abs=1e-6) == pytest.approx(r)


def test_leading_rotations_lists_pairs_by_modulus():
    blocks = [(0.9, 0.5), (1.2, 2.0), (0.5, 1.0)]
    mu = [m * np.exp(s * 1j * a) for m, a in blocks for s in (1, -1)] + [1.5, -0.3]
    moduli, angles = leading_rotations(np.array(mu), 2)
    np.testing.assert_allclose(moduli, [1.2, 0.9])
    np.testing.assert_allclose(angles, [2.0, 0.5])
    moduli, angles = leading_rotations(np.array(mu), 10)  # fewer pairs than asked: all of them
    np.testing.assert_allclose(moduli, [1.2, 0.9, 0.5])
    assert leading_rotations(np.array([1.5, -0.3]), 3)[0].shape == (0,)  # real spectrum


def test_fit_and_rotation_errors():
    t = np.arange(10)
    x = np.cos(t)
    with pytest.raises(ValueError, match="t must be a 1-D array"):
        fit_damped_oscillation(t[:, None], x)
    with pytest.raises(ValueError, match=r"signals must have shape \(K,\) or \(K, n_signals\)"):
        fit_damped_oscillation(t, x[:9])
    with pytest.raises(ValueError, match="at least 6 samples"):
        fit_damped_oscillation(t[:5], x[:5])
    with pytest.raises(ValueError, match="strictly increasing"):
        fit_damped_oscillation(t[::-1], x)
    with pytest.raises(ValueError, match="finite"):
        fit_damped_oscillation(t, np.where(t == 3, np.nan, x))
    with pytest.raises(TypeError, match="signals must be real"):
        fit_damped_oscillation(t, x + 1j)
    with pytest.raises(ValueError, match="0 < low < high"):
        fit_damped_oscillation(t, x, decay_range=(1.2, 0.5))
    with pytest.raises(ValueError, match="two numbers"):
        fit_damped_oscillation(t, x, decay_range=0.9)
    fit = fit_damped_oscillation(t, np.c_[x, np.sin(t)])
    with pytest.raises(IndexError, match="j must index one of the 2 fitted signals, got 2"):
        fit.phase_shift(0, 2)
    with pytest.raises(TypeError, match="i must be an integer index"):
        fit.phase_shift(0.0, 1)
    with pytest.raises(ValueError, match="eigenvalues must be a 1-D array"):
        leading_rotations(np.eye(2), 1)
    with pytest.raises(ValueError, match="n_pairs must be a positive integer"):
        leading_rotations(np.array([1j, -1j]), 0)
