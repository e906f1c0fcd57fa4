"""Mean-field theory for M targets: reduction to M = 1, output poles as roots, errors."""

import numpy as np
import pytest

from rnnlab.theory.meanfield import NoFadingMemory, mean_field
from rnnlab.theory.meanfield_targets import MultiTargetMeanField, mean_field_targets


def test_one_target_reduces_to_the_scalar_theory():
    mf = mean_field("tanh", 0.8, 1.0)
    mt = mean_field_targets("tanh", 0.8, [1.0], n_nodes=30)
    assert mt.C[0, 0] == pytest.approx(mf.sigma2, rel=1e-6)
    assert mt.rho(0) == pytest.approx(mf.rho, rel=1e-6)
    assert mt.output_poles(0)[0].real == pytest.approx(mf.lambda_out, abs=1e-5)
    om = np.array([0.0, 0.5, 2.0])
    np.testing.assert_allclose(mt.G_OL(om), mf.G_OL(om), atol=1e-5)


def test_three_targets_resonance_and_instability():
    mt = mean_field_targets("tanh", 0.9, [0.5, 1.0, 1.5])
    p0 = mt.output_poles(0)
    assert p0[0].real < 0 and 0.2 < abs(p0[0].imag) < 0.4  # stable, oscillatory (Fig. 2)
    assert mt.output_poles(1)[0].real > 0  # the middle target is unstable
    assert np.all(mt.output_poles(2).real < 0)
    for n in range(3):
        for p in mt.output_poles(n):
            # A closed-loop pole is a root of 1 - G_OL(s); G_OL takes omega = s / i.
            assert abs(1 - mt.G_OL(p / 1j, n)) < 1e-9


def test_mirror_targets_are_rejected():
    with pytest.raises(ValueError, match="linearly dependent"):
        mean_field_targets("tanh", 0.8, [-1.0, 1.0])
    with pytest.raises(ValueError, match="nonzero"):
        mean_field_targets("tanh", 0.8, [0.0, 1.0])
    mt = mean_field_targets("tanh", 0.8, [0.5, 1.0])
    with pytest.raises(ValueError, match="target index"):
        mt.output_poles(2)


def test_closed_loop_gain_and_type():
    mt = mean_field_targets("tanh", 0.8, [0.5, 1.0])
    assert isinstance(mt, MultiTargetMeanField)
    assert mt.M == 2 and mt.C.shape == (2, 2)
    np.testing.assert_allclose(mt.C, mt.C.T, rtol=1e-12)
    om = np.linspace(-2.0, 2.0, 5)
    G = mt.G_OL(om, 1)
    np.testing.assert_allclose(mt.G_CL(om, 1), G / (1 - G), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(phi="tanh", g=0.8, targets=[0.5, 1, 1.5, 2, 2.5]), ValueError, "at most 4"),
        (dict(phi="tanh", g=-0.8, targets=[1.0]), ValueError, "g must be"),
        (dict(phi="relu", g=1.6, targets=[1.0], threshold=0.1), NoFadingMemory, "diverges"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mean_field_targets(**kwargs)


def test_no_fading_memory_is_refused_like_the_single_target_theory():
    from rnnlab.theory.meanfield import mean_field

    with pytest.raises(NoFadingMemory, match=r"rho = g sqrt\(E\[phi'\^2\]\) = 1\.063 >= 1"):
        mean_field("tanh", 1.5, 0.1)
    with pytest.raises(NoFadingMemory, match=r"at target 0 \(A = 0\.1\).*rho .* = 1\.063 >= 1"):
        mean_field_targets("tanh", 1.5, [0.1, 0.2])
    # Allowed on request, as for one target.
    mt = mean_field_targets("tanh", 1.5, [0.1, 0.2], require_fading_memory=False)
    assert mt.rho(0) > 1


def test_a_quadrature_that_overflows_says_so():
    from rnnlab.theory.meanfield import gauss_hermite, mean_field

    with pytest.raises(ValueError, match="n = 400 Gauss-Hermite nodes overflow"):
        gauss_hermite(400)
    with pytest.raises(ValueError, match="overflow in the quadrature weights"):
        mean_field("tanh", 0.9, 1.0, n_nodes=400)


def test_extrapolation_lands_on_the_limit_of_a_linear_iteration():
    from rnnlab.theory.meanfield_targets import _extrapolate

    C_star = np.array([[2.0, 0.5], [0.5, 1.0]])
    D = np.array([[1.0, -0.2], [-0.2, 0.4]])
    C = [C_star + 0.8**k * D for k in range(4)]  # C_k -> C* with ratio 0.8 along D
    steps = [C[k + 1] - C[k] for k in range(3)]
    C1, step, ratio = _extrapolate(C[2], steps[1], steps[0], None)  # one ratio: no jump yet
    assert C1 is C[2] and ratio == pytest.approx(0.8)
    jump, step, ratio = _extrapolate(C[3], steps[2], steps[1], ratio)
    np.testing.assert_allclose(jump, C_star, atol=1e-12)
    assert step is None and ratio is None
    # A runaway (ratio >= 1) or two directions at once is left alone.
    grow = [C_star + 1.2**k * D for k in range(4)]
    g_steps = [grow[k + 1] - grow[k] for k in range(3)]
    assert _extrapolate(grow[3], g_steps[2], g_steps[1], 1.2)[0] is grow[3]
    E = np.array([[0.0, 1.0], [1.0, 0.0]])
    mixed = [C_star + 0.8**k * D + 0.3**k * E for k in range(4)]
    m_steps = [mixed[k + 1] - mixed[k] for k in range(3)]
    assert _extrapolate(mixed[3], m_steps[2], m_steps[1], 0.8)[0] is mixed[3]


def test_extrapolated_covariance_is_the_limit_of_the_damped_iteration():
    # The plain damped iteration (no extrapolation), run to the same tolerance.
    from rnnlab.dynamics.nonlinearities import nonlinearity
    from rnnlab.theory.meanfield_targets import _joint_grid

    phi, g, A = nonlinearity("tanh"), 1.3, np.array([0.5, 1.0, 1.5])
    U, _, W = _joint_grid(np.zeros((3, 3)), 16, 3)
    f = phi.f(U[:, None] * A)
    C = g * g * (f * W[:, None]).T @ f
    for _ in range(5000):
        U, X1, W = _joint_grid(C, 16, 3)
        f = phi.f(U[:, None] * A + X1)
        new = 0.3 * C + 0.7 * g * g * (f * W[:, None]).T @ f
        done = np.max(np.abs(new - C)) <= 1e-12 * np.max(np.abs(new))
        C = new
        if done:
            break
    np.testing.assert_allclose(mean_field_targets("tanh", 1.3, A).C, C, rtol=1e-10, atol=0)
