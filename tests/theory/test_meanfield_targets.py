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
