"""Chapter 06's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

from rnnlab.course.check import AnswerError, ch06
from rnnlab.course.networks import load_network
from rnnlab.flipflop.memories import find_memories, memory_distances
from rnnlab.flipflop.noise import noise_matrices
from rnnlab.flipflop.noise_memories import linear_shift

N = 500


@pytest.fixture(scope="module")
def case():
    net = load_network("flipflop4_tanh_seed0")
    return net, find_memories(net), noise_matrices(N, 2, seed=0)


@pytest.fixture(scope="module")
def measured_radius(case):
    return float(np.abs(np.linalg.eigvals(case[2][0])).max())


def hint_of(call, *args) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args)
    return str(info.value)


# -- 06-noise-radius -----------------------------------------------------------------------------


def test_noise_radius(capsys, measured_radius):
    ch06.noise_radius(lambda n, eta: eta * np.sqrt(n), N, measured_radius)
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 2
    message = hint_of(ch06.noise_radius, lambda n, eta: eta * n, N, measured_radius)
    assert "disk of radius s sqrt(N), not s N" in message
    message = hint_of(ch06.noise_radius, lambda n, eta: eta, N, measured_radius)
    assert "the radius is not the size of one entry" in message
    squared = lambda n, eta: eta**2 * np.sqrt(n)  # noqa: E731
    assert "scales like eta^2" in hint_of(ch06.noise_radius, squared, N, measured_radius)
    root = lambda n, eta: np.sqrt(eta * n)  # noqa: E731
    assert "scales like sqrt(eta)" in hint_of(ch06.noise_radius, root, N, measured_radius)
    with pytest.raises(ValueError, match="measured"):
        ch06.noise_radius(lambda n, eta: eta, N, -1.0)


# -- 06-rank-kinds -------------------------------------------------------------------------------

# the chapter's breakdown levels (both test sets), rounded
LEVELS = {
    ("tanh", 0): 8.3e-3,
    ("tanh", 1): 1.1e-2,
    ("tanh", 2): 6.6e-3,
    ("logistic", 0): 4.8e-3,
    ("logistic", 1): 5.0e-3,
    ("logistic", 2): 8.9e-3,
    ("transfer", 0): 4.7e-3,
    ("transfer", 1): 5.0e-3,
    ("transfer", 2): 7.5e-3,
}


def test_rank_kinds(capsys):
    ch06.rank_kinds(("tanh", False), LEVELS)
    ch06.rank_kinds((" Tanh ", np.False_), LEVELS)
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 4
    assert "caption of Jang's Figure 9" in hint_of(ch06.rank_kinds, ("logistic", False), LEVELS)
    assert "trained twice" in hint_of(ch06.rank_kinds, ("transfer", False), LEVELS)
    assert "the kinds overlap" in hint_of(ch06.rank_kinds, ("tanh", True), LEVELS)
    assert "not one of the options" in hint_of(ch06.rank_kinds, ("relu", False), LEVELS)
    assert "True or False" in hint_of(ch06.rank_kinds, ("tanh", "no"), LEVELS)
    assert "a tuple" in hint_of(ch06.rank_kinds, "tanh", LEVELS)
    # a world where Jang is right: every transferred network first, logistic the most robust
    jang = {
        k: v * (3.0 if k[0] == "logistic" else 0.5 if k[0] == "transfer" else 1.0)
        for k, v in LEVELS.items()
    }
    ch06.rank_kinds(("logistic", True), jang)
    assert "were not the most robust" in hint_of(ch06.rank_kinds, ("tanh", True), jang)
    with pytest.raises(ValueError, match="logistic"):
        ch06.rank_kinds(("tanh", False), {k: v for k, v in LEVELS.items() if k[0] != "logistic"})


# -- 06-first-order-shift ------------------------------------------------------------------------


def shift(esn, x_star, E):
    return -np.linalg.solve(esn.closed_loop().jacobian(x_star), E @ esn.phi.f(x_star))


def test_first_order_shift(capsys, case):
    net, mems, Z = case
    x_star, E = mems.x[0], 1e-4 * Z[0]
    ch06.first_order_shift(shift, net, x_star, E)
    assert "\N{CHECK MARK}" in capsys.readouterr().out
    args = (net, x_star, E)
    message = hint_of(ch06.first_order_shift, lambda *a: -shift(*a), *args)
    assert "The sign is flipped" in message

    def on_state(esn, x, E):
        return -np.linalg.solve(esn.closed_loop().jacobian(x), E @ x)

    assert "acts on the rates" in hint_of(ch06.first_order_shift, on_state, *args)
    no_inverse = lambda esn, x, E: -E @ esn.phi.f(x)  # noqa: E731
    assert "needs the inverse Jacobian" in hint_of(ch06.first_order_shift, no_inverse, *args)
    with pytest.raises(ValueError, match="x_star"):
        ch06.first_order_shift(shift, net, x_star[:10], E)


# -- 06-predict-eta-c ----------------------------------------------------------------------------


def test_breakdown_level(capsys):
    d, chi, measured = 1.17, 62.0, 8.3e-3
    args = (d, chi, N, 0.6, measured)
    ch06.breakdown_level(1.17 / 124, *args)
    ch06.breakdown_level(0.0095, *args)  # from the rounded printout
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 2
    assert "measured breakdown of this network: 8.3e-03" in out
    assert "factor 2 is missing" in hint_of(ch06.breakdown_level, d / chi, *args)
    message = hint_of(ch06.breakdown_level, 0.6 / np.sqrt(N), *args)
    assert "reaches the gain g = 0.6" in message
    assert "reaches 1 (chaos)" in hint_of(ch06.breakdown_level, 1 / np.sqrt(N), *args)
    assert "divides by chi" in hint_of(ch06.breakdown_level, d * chi / 2, *args)
    message = hint_of(ch06.breakdown_level, 0.05, *args)
    assert "differs from the reference" in message and "Misconception" not in message
    with pytest.raises(ValueError, match="chi"):
        ch06.breakdown_level(0.01, d, 0.0, N, 0.6, measured)


# -- 06-predicted-breakdown ----------------------------------------------------------------------


def per_memory(esn, mems, Z):
    return memory_distances(mems)["nearest"] / (2 * linear_shift(esn, mems, Z))


def test_predicted_breakdown(capsys, case):
    net, mems, Z = case
    ch06.predicted_breakdown(per_memory, net, mems, Z)
    assert "\N{CHECK MARK}" in capsys.readouterr().out
    message = hint_of(ch06.predicted_breakdown, lambda *a: 2 * per_memory(*a), net, mems, Z)
    assert "factor 2 is missing" in message

    def radius(esn, mems, Z):
        r = np.linalg.norm(mems.x, axis=1) / np.sqrt(esn.N)
        return r / (2 * linear_shift(esn, mems, Z))

    assert "memories' radius" in hint_of(ch06.predicted_breakdown, radius, net, mems, Z)

    def averaged(esn, mems, Z):
        chi = linear_shift(esn, mems, Z).mean(axis=0)
        return np.tile(memory_distances(mems)["nearest"] / (2 * chi), (len(Z), 1))

    assert "averaged chi over the draws" in hint_of(
        ch06.predicted_breakdown, averaged, net, mems, Z
    )
