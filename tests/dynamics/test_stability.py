"""Classification of fixed points from eigenvalues: flows by Re(lambda), maps by |lambda|."""

import numpy as np
import pytest

from rnnlab import classify, n_unstable

FLOW_CASES = [
    ([-1.0, -2.0], "stable node"),
    ([-1.0, -1.0], "stable node"),
    ([-0.5 + 2j, -0.5 - 2j], "stable focus"),
    ([-0.5 + 2j, -0.5 - 2j, -3.0], "stable focus"),
    ([0.366, -1.366], "saddle (1 unstable)"),
    ([0.5, 0.2, -1.0], "saddle (2 unstable)"),
    ([0.1 + 1j, 0.1 - 1j, -1.0], "saddle (2 unstable)"),
    ([2.0, 1.0], "unstable node"),
    ([0.3 + 1j, 0.3 - 1j], "unstable focus"),
    ([0.0, -1.0], "non-hyperbolic"),
    ([1e-12, -1.0], "non-hyperbolic"),
    ([2j, -2j], "non-hyperbolic"),  # a centre
    ([1.0, 0.0], "non-hyperbolic"),
]

MAP_CASES = [
    ([0.5, 0.2], "stable node"),
    ([-0.9, 0.3], "stable flip node"),  # a negative multiplier: orbits alternate sides
    ([0.5 + 0.5j, 0.5 - 0.5j], "stable focus"),
    ([2.0, 0.5], "saddle (1 unstable)"),
    ([-2.0, 0.5], "saddle (1 unstable, flip)"),  # flow rule would call Re = -2 stable
    ([1.5, -1.2, 0.1], "saddle (2 unstable, flip)"),
    ([1.5, 0.5, -0.2], "saddle (1 unstable, flip)"),  # the flip may be on the stable side
    ([-3.0, -1.5], "unstable flip node"),
    ([-0.5 + 0.5j, -0.5 - 0.5j, -0.2], "stable flip focus"),
    ([-1e-17, 0.5], "stable node"),  # a multiplier 0 up to rounding is no flip
    ([3.0, 1.1], "unstable node"),
    ([1.2j, -1.2j], "unstable focus"),
    ([1.0, 0.5], "non-hyperbolic"),
    ([-1.0, 0.5], "non-hyperbolic"),
    ([np.exp(0.7j), np.exp(-0.7j)], "non-hyperbolic"),
    ([0.0, 0.0], "stable node"),  # superstable
]


@pytest.mark.parametrize("eigenvalues,expected", FLOW_CASES)
def test_classify_flow(eigenvalues, expected):
    assert classify(eigenvalues) == expected
    assert classify(np.array(eigenvalues, dtype=complex), discrete=False) == expected


@pytest.mark.parametrize("eigenvalues,expected", MAP_CASES)
def test_classify_map(eigenvalues, expected):
    assert classify(eigenvalues, discrete=True) == expected


def test_rules_differ_between_flow_and_map():
    lam = [-2.0, -0.5]
    assert classify(lam) == "stable node"
    assert classify(lam, discrete=True) == "saddle (1 unstable, flip)"
    lam = [0.5, 0.3]
    assert classify(lam) == "unstable node"
    assert classify(lam, discrete=True) == "stable node"


def test_classify_tolerances():
    assert classify([1e-7, -1.0]) == "saddle (1 unstable)"
    assert classify([1e-7, -1.0], boundary_tol=1e-6) == "non-hyperbolic"
    # imag_tol is relative to max(1, max|λ|) and defaults to 1e-6 (Jordan blocks split by sqrt(eps))
    assert classify([-1 + 1e-7j, -1 - 1e-7j]) == "stable node"
    assert classify([-1 + 1e-7j, -1 - 1e-7j], imag_tol=1e-8) == "stable focus"
    assert classify([-10 + 5e-6j, -10 - 5e-6j]) == "stable node"
    assert classify([-10 + 5e-4j, -10 - 5e-4j]) == "stable focus"


def test_boundary_tol_per_eigenvalue():
    # An eigenvalue known only to +-1e-4 (its error bound) is on the boundary at 1e-5;
    # the others keep the default.
    lam = [1e-5, 0.5, -1.0]
    assert classify(lam) == "saddle (2 unstable)"
    assert classify(lam, boundary_tol=[1e-4, 1e-9, 1e-9]) == "non-hyperbolic"
    assert n_unstable(lam, boundary_tol=[1e-4, 1e-9, 1e-9]) == 1
    batch = np.array([lam, [2e-4, 0.5, -1.0]])
    tol = np.full(batch.shape, 1e-4)
    np.testing.assert_array_equal(n_unstable(batch, boundary_tol=tol), [1, 2])
    # maps: |1.00005| is within 1e-4 of the unit circle
    assert classify([1.00005, 0.5], discrete=True, boundary_tol=[1e-4, 1e-9]) == "non-hyperbolic"
    with pytest.raises(ValueError, match="boundary_tol"):
        classify(lam, boundary_tol=[1e-4, 1e-9])
    with pytest.raises(ValueError, match="boundary_tol"):
        n_unstable(lam, boundary_tol=-1.0)


@pytest.mark.parametrize("bad", [[], [[1.0, 2.0]], 1.0])
def test_classify_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match="eigenvalues"):
        classify(bad)


def test_n_unstable_single_and_batch():
    batch = np.array(
        [
            [-1.0, -2.0, -3.0],
            [0.5, -1.0, -2.0],
            [0.1 + 1j, 0.1 - 1j, -1.0],
            [1.0, 2.0, 3.0],
            [0.0, 1e-12, -1.0],
        ]
    )
    np.testing.assert_array_equal(n_unstable(batch), [0, 1, 2, 3, 0])
    assert n_unstable(batch[1]) == 1
    assert n_unstable(batch).shape == (5,)
    for i, row in enumerate(batch):
        assert n_unstable(row) == n_unstable(batch)[i]
    # maps: |0.1 +- 1j| = 1.005 > 1; |-1| and |1| are on the boundary, not unstable
    np.testing.assert_array_equal(n_unstable(batch, discrete=True), [2, 1, 2, 2, 0])
    assert n_unstable([1.0 + 1e-12, 0.5], discrete=True) == 0
    assert n_unstable([1.0 + 1e-6, 0.5], discrete=True) == 1


@pytest.mark.parametrize("eigenvalues,expected", FLOW_CASES)
def test_n_unstable_consistent_with_classify(eigenvalues, expected):
    k = int(n_unstable(eigenvalues))
    if expected.startswith("saddle"):
        assert expected == f"saddle ({k} unstable)"
    elif expected.startswith("stable"):
        assert k == 0
    elif expected.startswith("unstable"):
        assert k == len(eigenvalues)


@pytest.mark.parametrize("eigenvalues,expected", MAP_CASES)
def test_map_n_unstable_consistent_with_classify(eigenvalues, expected):
    k = int(n_unstable(eigenvalues, discrete=True))
    if expected.startswith("saddle"):
        assert expected.startswith(f"saddle ({k} unstable")
    elif expected.startswith("stable"):
        assert k == 0
    elif expected.startswith("unstable"):
        assert k == len(eigenvalues)
    # the flip qualifier is there exactly when a real multiplier is clearly negative
    lam = np.asarray(eigenvalues, dtype=complex)
    flips = bool(np.any((np.abs(lam.imag) < 1e-12) & (lam.real < -1e-6)))
    if expected != "non-hyperbolic":
        assert ("flip" in expected) == flips


def test_flow_names_never_say_flip():
    for eigenvalues, _ in FLOW_CASES + MAP_CASES:
        assert "flip" not in classify(eigenvalues)
