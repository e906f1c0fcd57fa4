"""Chapter 04's checks: the right answer passes, each common wrong answer gets its hint."""

import itertools
import re

import numpy as np
import pytest

import rnnlab
from rnnlab.course.check import AnswerError, ch04
from rnnlab.fixedpoints.periodic import find_periodic_points


# -- 04-predict-census ---------------------------------------------------------------------------
def test_predict_census_right_answer_passes(capsys):
    ch04.predict_census([16, 32, 24, 8, 1])
    ch04.predict_census({0: 16, 1: 32, 2: 24, 3: 8, 4: 1})
    assert "matches" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ([16, 32, 24, 8, 0], "The centre is missing"),
        ([16, 32, 24, 8], "has 4 entries, expected 5. The centre is missing"),
        ([16, 0, 0, 0, 0], "Only the 2^4 = 16 memories"),
        ([1, 4, 6, 4, 1], "comb(4, k) counts where the k zero bits are"),
        ([1, 8, 24, 32, 16], "Reversed"),
    ],
)
def test_predict_census_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=re.escape(hint)):
        ch04.predict_census(wrong)


def test_predict_census_rejects_a_number():
    with pytest.raises(AnswerError, match="should be a list"):
        ch04.predict_census(81)


# -- 04-predict-fractions ------------------------------------------------------------------------
def test_pca_fractions_reference_is_computed_and_isotropic():
    assert np.allclose(ch04._hypercube_fractions(), 0.25)
    assert np.allclose(ch04._hypercube_fractions(n_bits=3), 1 / 3)


def test_pca_fractions_right_answer_passes(capsys):
    ch04.pca_fractions([0.25, 0.25, 0.25, 0.25], measured=[0.29, 0.25, 0.24, 0.22, 0.0])
    out = capsys.readouterr().out
    assert "[0.25, 0.25, 0.25, 0.25]" in out and "[0.29, 0.25, 0.24, 0.22]" in out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ([1.0, 0.0, 0.0, 0.0], "PC1 does not dominate here"),
        ([0.4, 0.3, 0.2, 0.1], "PC1 does not dominate here"),
        ([1 / 3, 1 / 3, 1 / 3, 0.0], "All four bits vary"),
        ([0.3, 0.3, 0.2, 0.2], "need not decrease steeply"),
        ([0.5, 0.5, 0.5, 0.5], "add up to 2.00"),
    ],
)
def test_pca_fractions_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=re.escape(hint)):
        ch04.pca_fractions(wrong)


def test_pca_fractions_wrong_length():
    with pytest.raises(AnswerError, match="four fractions"):
        ch04.pca_fractions([0.5, 0.5])


# -- 04-neighbour-pairs --------------------------------------------------------------------------
def pairs(patterns, rule=lambda d: d == 1, ordered=False):
    P = np.asarray(patterns)
    index = itertools.permutations if ordered else itertools.combinations
    return [(i, j) for i, j in index(range(len(P)), 2) if rule(np.sum(P[i] != P[j]))]


def test_neighbour_pairs_right_answer_passes(capsys):
    memories = np.array(list(itertools.product((-1, 1), repeat=4)))[::-1]
    ch04.neighbour_pairs(pairs, memories)
    out = capsys.readouterr().out
    assert "number of edges of 16 patterns of 4 bits is right: 32" in out
    assert "number of edges of 8 patterns of 3 bits is right: 12" in out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda P: pairs(P, ordered=True), "Every edge is listed twice"),
        (lambda P: pairs(P, rule=lambda d: d >= 1), "all pairs of distinct rows"),
        (lambda P: pairs(P, rule=lambda d: d == P.shape[1]), "opposite corners"),
    ],
)
def test_neighbour_pairs_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=re.escape(hint)):
        ch04.neighbour_pairs(wrong)


def test_neighbour_pairs_wrong_pairs_of_the_right_number_fail():
    def shifted(P):  # 32 pairs, but not the edges
        return [(i, (j + 1) % len(P)) for i, j in pairs(P)]

    with pytest.raises(AnswerError, match="edge list"):
        ch04.neighbour_pairs(shifted)


# -- 04-jacobian-of-square -----------------------------------------------------------------------
def test_jacobian_of_square_right_answer_passes(capsys):
    ch04.jacobian_of_square(lambda G, x: G.stability_matrix(G.step(x)) @ G.stability_matrix(x))
    assert "Jacobian of G o G matches" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda G, x: G.stability_matrix(x) @ G.stability_matrix(G.step(x)), "wrong order"),
        (lambda G, x: G.stability_matrix(x) @ G.stability_matrix(x), "taken at x"),
        (lambda G, x: G.stability_matrix(x), "Jacobian of one step"),
    ],
)
def test_jacobian_of_square_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=re.escape(hint)):
        ch04.jacobian_of_square(wrong)


# -- 04-stable-orbits ----------------------------------------------------------------------------
def orbits(W, k, starts, *, stable_only=True, points=False, key_by_k=False):
    found = find_periodic_points(rnnlab.TanhMap(W), starts, k)
    out = {}
    for o in np.unique(found.orbit):
        m = np.flatnonzero(found.orbit == o)
        if stable_only and found.points.n_unstable[m[0]] != 0:
            continue
        p = k if key_by_k else int(found.period[m[0]])
        out[p] = out.get(p, 0) + (len(m) if points else 1)
    return out


def test_stable_orbits_right_answer_passes(capsys):
    ch04.stable_orbits(orbits)
    out = capsys.readouterr().out
    # the inverting ring stores its patterns as a 2-cycle and a 6-cycle, no fixed point
    assert "gain -2, k = 6: {2: 1, 6: 1}" in out
    assert "gain 2, k = 3: {1: 2, 3: 2}" in out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda *a: orbits(*a, stable_only=False), "Saddle orbits are included"),
        (lambda *a: orbits(*a, points=True), "count points, not orbits"),
        (lambda *a: orbits(*a, key_by_k=True), "Orbits are keyed by k"),
    ],
)
def test_stable_orbits_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=re.escape(hint)):
        ch04.stable_orbits(wrong)


def test_stable_orbits_needs_a_dict():
    with pytest.raises(AnswerError, match="should return a dict"):
        ch04.stable_orbits(lambda W, k, starts: [2, 6])
