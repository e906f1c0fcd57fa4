"""Where unstable manifolds lead: the toy system's saddle, a 1-D map, a planted cube, inputs."""

import numpy as np
import pytest

import rnnlab
from rnnlab.fixedpoints.manifolds import connections, unstable_directions


def test_toy_saddle_connects_both_nodes():
    toy = rnnlab.ToySystem()
    X = toy.analytic_fixed_points()  # (0, 0), (1, 1/2), (-1, -1/2)
    k = rnnlab.n_unstable(toy.eigenvalues(X), discrete=False)
    stable = np.flatnonzero(k == 0)
    links = connections(toy, X, k, X[stable], seed=0)
    saddle = int(np.flatnonzero(k == 1)[0])
    assert [stable[j] for j in links[saddle]] == sorted(stable.tolist())
    for i in stable:
        assert links[i] == ()


def test_unstable_direction_is_the_unstable_eigenvector():
    toy = rnnlab.ToySystem()
    D = unstable_directions(toy, [0.0, 0.0], 1)
    lam, V = np.linalg.eig(toy.jacobian([0.0, 0.0]))
    v = V[:, np.argmax(lam.real)].real
    assert D.shape == (1, 2)
    np.testing.assert_allclose(abs(D[0] @ v) / np.linalg.norm(v), 1.0, atol=1e-12)


def test_directions_are_the_eigenvectors_not_a_mixture():
    # F = A x with two real unstable eigenvalues 5 and 0.1 along non-orthogonal vectors
    rng = np.random.default_rng(1)
    N = 80
    S = np.eye(N) + 0.3 * rng.standard_normal((N, N)) / np.sqrt(N)
    lam = -1.0 - rng.random(N)
    lam[:2] = [5.0, 0.1]
    A = S @ np.diag(lam) @ np.linalg.inv(S)
    system = rnnlab.RateRNN(A + np.eye(N), phi="linear")
    D = unstable_directions(system, np.zeros(N), 2)
    for d, v in zip(D, S[:, :2].T, strict=True):
        np.testing.assert_allclose(abs(d @ v) / np.linalg.norm(v), 1.0, atol=1e-8)


def test_complex_pair_gives_a_real_two_dimensional_basis():
    # a 60-D linear-ish flow: F = A x with one unstable rotation and a stable rest
    rng = np.random.default_rng(0)
    N = 60
    R = np.linalg.qr(rng.standard_normal((N, N)))[0]
    D = np.diag(-1.0 - rng.random(N))
    D[:2, :2] = [[0.3, -2.0], [2.0, 0.3]]
    A = R @ D @ R.T
    system = rnnlab.RateRNN(A + np.eye(N), phi="linear")  # F = -x + (A + I) x = A x
    D = unstable_directions(system, np.zeros(N), 2)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0)
    assert np.linalg.matrix_rank(D, tol=1e-6) == 2
    P = R[:, :2] @ R[:, :2].T  # projector on the unstable plane
    np.testing.assert_allclose(D @ P, D, atol=1e-8)


def test_map_uses_the_map_rule():
    # x <- tanh(2x): 0 is unstable (|G'| = 2), +-0.957 stable
    system = rnnlab.TanhMap([[2.0]])
    x_star = 0.9575040240772687
    X = np.array([[0.0], [x_star], [-x_star]])
    links = connections(system, X, np.array([1, 0, 0]), X[1:], seed=0)
    assert links == [(0, 1), (), ()]


def test_a_point_that_connects_nowhere_gets_nothing():
    toy = rnnlab.ToySystem()
    X = toy.analytic_fixed_points()
    k = rnnlab.n_unstable(toy.eigenvalues(X), discrete=False)
    far = np.array([[10.0, 10.0]])  # an "attractor" nothing reaches
    links = connections(toy, X, k, far, max_steps=50, seed=0)
    assert all(link == () for link in links)


def test_same_seed_same_links():
    toy = rnnlab.ToySystem()
    X = toy.analytic_fixed_points()
    k = rnnlab.n_unstable(toy.eigenvalues(X), discrete=False)
    a = connections(toy, X, k, X[k == 0], n_random=3, seed=5)
    b = connections(toy, X, k, X[k == 0], n_random=3, seed=5)
    assert a == b


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"n_unstable": np.array([1, 0])}, "n_unstable"),
        ({"n_unstable": np.array([1.0, 0.0, 0.0])}, "n_unstable"),
        ({"n_unstable": np.array([-1, 0, 0])}, "n_unstable"),
        ({"radius": 0.0}, "radius"),
        ({"n_random": -1}, "n_random"),
        ({"dt": -0.1}, "dt"),
        ({"max_steps": 0}, "max_steps"),
        ({"arrive_tol": 0.0}, "arrive_tol"),
        ({"attractors": np.zeros((2, 3))}, "attractors"),
    ],
)
def test_bad_inputs(kwargs, match):
    toy = rnnlab.ToySystem()
    X = toy.analytic_fixed_points()
    args = {"n_unstable": np.array([1, 0, 0]), "attractors": X[1:], "seed": 0} | kwargs
    with pytest.raises(ValueError, match=match):
        connections(toy, X, **args)
