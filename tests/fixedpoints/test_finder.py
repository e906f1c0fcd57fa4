"""The fixed-point finder: correct points, honest statuses, bookkeeping of every start.

Independent references: the toy system's closed-form points, ``scipy.optimize.root``
started from the same places, eigenvalues computed here from J = -I + W diag(1 - tanh^2 x).
"""

import re

import numpy as np
import pytest
import scipy.optimize
from slow_system import SlowSystem
from threadpoolctl import threadpool_limits

from rnnlab import (
    DynamicalSystem,
    RateRNN,
    TanhMap,
    ToySystem,
    find_fixed_points,
    grid_2d,
    minimize_q,
    mirror,
    random_rnn,
    sample_states,
    simulate,
)
from rnnlab.fixedpoints import finder

TOY_STARTS = grid_2d((-2.0, 2.0), (-2.0, 2.0), 9)


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    # The reference computations here (scipy.optimize.root, eigvals) are small matrix
    # operations; on a busy 2-core machine a multi-threaded OpenBLAS made them ~1000x slower
    # (seen: a batched solve 0.002 s -> 2 s). rnnlab limits its own loops the same way.
    with threadpool_limits(limits=1, user_api="blas"):
        yield


SLOW_STARTS = grid_2d((-1.0, 1.0), (-1.0, 1.0), 4)


def tanh_jacobian(net, x):
    """J = -I + W diag(1 - tanh^2 x), written out here independently of rnnlab."""
    return -np.eye(len(x)) + net.W * (1.0 - np.tanh(x) ** 2)[None, :]


def independent_n_unstable(net, x):
    return int(np.sum(np.linalg.eigvals(tanh_jacobian(net, x)).real > 1e-9))


def network_starts(net, seed, n_sampled, n_random, random_scale=1.0):
    """Trajectory-sampled starts (with noise) plus random Gaussian starts."""
    rng = np.random.default_rng(seed)
    _, traj = simulate(net, rng.normal(0.0, 1.0, size=(4, net.dim)), 30.0, dt=0.1)
    sampled = sample_states(traj, n_sampled, noise=0.2, seed=seed + 1)
    return np.vstack([sampled, rng.normal(0.0, random_scale, size=(n_random, net.dim))])


def in_set(x, P, tol):
    return len(P) > 0 and np.min(np.max(np.abs(P - x), axis=1)) < tol


# -- module-level searches shared by several tests ----------------------------------------


@pytest.fixture(scope="module")
def toy_result():
    return find_fixed_points(ToySystem(), TOY_STARTS)


@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def chaotic(request):
    """A g = 1.5 tanh network (N = 50) searched from sampled and random starts."""
    seed = request.param
    net = random_rnn(50, 1.5, seed=seed)
    x0 = network_starts(net, seed, 60, 40)
    return net, x0, find_fixed_points(net, x0)


@pytest.fixture(scope="module")
def chaotic_loose():
    """The same search with a loose tol_slow, so that local minima of q become slow points."""
    net = random_rnn(50, 1.5, seed=1)
    x0 = network_starts(net, 1, 60, 40)
    return net, find_fixed_points(net, x0, tol_slow=0.1)


@pytest.fixture(scope="module")
def slow_result():
    return find_fixed_points(SlowSystem(1e-4), SLOW_STARTS)


# -- the toy system -------------------------------------------------------------------------


def test_toy_three_fixed_points(toy_result):
    fps = toy_result
    assert fps.n_points == 3
    assert fps.n_fixed == 3 and fps.n_slow == 0
    expected = ToySystem().analytic_fixed_points()
    for p in expected:
        assert in_set(p, fps.x, 1e-10), p
    assert np.all(fps.q < 1e-20)
    assert set(fps.status) == {"fixed"}
    kinds = {tuple(np.round(x, 6)): k for x, k in zip(fps.x, fps.kind, strict=True)}
    assert kinds[(0.0, 0.0)] == "saddle (1 unstable)"
    assert kinds[(1.0, 0.5)] == "stable node"
    assert kinds[(-1.0, -0.5)] == "stable node"
    origin = int(np.argmin(np.abs(fps.x).sum(axis=1)))
    assert fps.n_unstable[origin] == 1
    assert np.sum(fps.n_unstable) == 1


@pytest.mark.parametrize("a,b", [(1.0, 0.5), (2.0, -0.7), (0.25, 1.5)])
def test_toy_family_positive_a(a, b):
    toy = ToySystem(a, b)
    fps = find_fixed_points(toy, grid_2d((-3, 3), (-3, 3), 7))
    expected = toy.analytic_fixed_points()
    assert fps.n_points == 3
    for p in expected:
        assert in_set(p, fps.x, 1e-10), p


@pytest.mark.parametrize("a", [0.0, -0.5, -2.0])
def test_toy_family_nonpositive_a_only_origin(a):
    fps = find_fixed_points(ToySystem(a, 0.5), TOY_STARTS)
    assert fps.n_slow == 0
    assert fps.n_points == 1, f"expected only the origin, got {fps.n_points} points:\n{fps!r}"
    np.testing.assert_allclose(fps.x[0], [0.0, 0.0], atol=1e-8)


# -- random tanh networks -------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed,N,g,n_starts",
    [(0, 20, 0.5, 60), (1, 50, 0.8, 60), (2, 30, 0.95, 60), (3, 100, 0.9, 20)],
)
def test_subcritical_network_only_origin(seed, N, g, n_starts):
    net = random_rnn(N, g, seed=seed)
    x0 = network_starts(net, seed, n_starts // 2, n_starts // 2, random_scale=2.0)
    fps = find_fixed_points(net, x0)
    assert fps.n_points == 1
    np.testing.assert_allclose(fps.x[0], 0.0, atol=1e-10)
    assert fps.n_unstable[0] == 0
    assert fps.kind[0].startswith("stable")
    assert fps.stable.tolist() == [True]
    assert np.all(fps.start_status == "fixed")
    assert np.all(fps.start_point == 0)


def test_chaotic_points_are_true_roots(chaotic):
    net, _, fps = chaotic
    assert fps.n_fixed >= 3  # the origin and at least one +- pair
    for x in fps.x:
        assert np.max(np.abs(net.rhs(x))) < 1e-10
        # an independent solver started at the point stays there
        sol = scipy.optimize.root(net.rhs, x, jac=net.jacobian, method="hybr")
        assert np.max(np.abs(net.rhs(sol.x))) < 1e-12
        np.testing.assert_allclose(sol.x, x, atol=1e-9)


def test_chaotic_consistent_with_scipy_root_from_same_starts(chaotic):
    net, x0, fps = chaotic
    both = 0
    scipy_roots = []
    for i, x in enumerate(x0):
        sol = scipy.optimize.root(net.rhs, x, jac=net.jacobian, method="hybr")
        if not np.max(np.abs(net.rhs(sol.x))) < 1e-10:
            continue  # scipy did not converge from here
        scipy_roots.append(sol.x)
        if fps.start_status[i] == "fixed":
            both += 1
            # both converged: the root scipy found must be among rnnlab's points
            assert in_set(sol.x, fps.x, 1e-8), f"start {i}: scipy root missing from rnnlab's points"
            # and rnnlab's own end point for this start is a root
            assert np.max(np.abs(net.rhs(fps.x_final[i]))) < 1e-10
    assert both >= 3, "too few starts where both solvers converged for a meaningful comparison"
    # started at every root scipy found, rnnlab reports exactly that root as fixed
    R = np.array(scipy_roots)
    again = find_fixed_points(net, R)
    assert np.all(again.start_status == "fixed")
    np.testing.assert_allclose(again.x[again.start_point], R, atol=1e-8)


def test_chaotic_plus_minus_symmetry(chaotic):
    net, x0, fps = chaotic
    assert net.odd
    assert in_set(np.zeros(net.dim), fps.x, 1e-10)  # the origin is always a fixed point
    for x in fps.x:
        assert np.max(np.abs(net.rhs(-x))) < 1e-10
    mirrored = find_fixed_points(net, mirror(fps.x))
    assert np.all(mirrored.start_status == "fixed")
    np.testing.assert_allclose(mirrored.x[mirrored.start_point], -fps.x, atol=1e-9)
    # searching from starts and their mirror images gives a set closed under x -> -x
    both = find_fixed_points(net, np.vstack([x0, mirror(x0)]))
    for x in both.x:
        assert in_set(-x, both.x, 1e-8)
    # partners have the same stability (J(-x) = J(x)), so each census class is pairs + origin
    for i, x in enumerate(both.x):
        j = int(np.argmin(np.max(np.abs(both.x + x), axis=1)))
        assert both.n_unstable[j] == both.n_unstable[i]
    for k in np.unique(both.n_unstable):
        pos = both.x[both.n_unstable == k]
        assert (len(pos) - int(in_set(np.zeros(net.dim), pos, 1e-10))) % 2 == 0


def test_chaotic_unstable_dimensions_independent(chaotic):
    net, _, fps = chaotic
    for i, x in enumerate(fps.x):
        k = independent_n_unstable(net, x)
        assert fps.n_unstable[i] == k
        expected_kind = (
            "stable" if k == 0 else ("unstable" if k == net.dim else f"saddle ({k} unstable)")
        )
        assert fps.kind[i].startswith(expected_kind)
    # the origin has -I + W as Jacobian: its unstable count is #{Re lambda(W) > 1}
    origin = int(np.argmin(np.abs(fps.x).max(axis=1)))
    assert fps.n_unstable[origin] == np.sum(np.linalg.eigvals(net.W).real > 1)


# -- agreement with the scipy baseline -------------------------------------------------------


@pytest.mark.parametrize(
    "method,hessian",
    [
        ("CG", "gauss-newton"),
        ("BFGS", "gauss-newton"),
        ("trust-exact", "gauss-newton"),
        ("trust-exact", "exact"),
        ("Newton-CG", "exact"),
    ],
)
def test_finder_agrees_with_minimize_q_on_toy(toy_result, method, hessian):
    base = minimize_q(ToySystem(), grid_2d((-2, 2), (-2, 2), 5), method=method, hessian=hessian)
    assert base.n_points == toy_result.n_points == 3
    np.testing.assert_allclose(base.x, toy_result.x, atol=1e-8)
    assert base.n_unstable.tolist() == toy_result.n_unstable.tolist()
    assert method in base.method
    _check_dedup(base)


@pytest.mark.parametrize("method", ["CG", "BFGS", "trust-exact"])
def test_minimize_q_types_agree_on_toy(toy_result, method):
    base = minimize_q(ToySystem(), grid_2d((-2, 2), (-2, 2), 5), method=method)
    assert base.kind.tolist() == toy_result.kind.tolist(), (
        f"same points (q = {base.q}), different types:\n{base!r}"
    )


@pytest.mark.parametrize("offset", [0.0, 4e-16, 1e-15, -3e-15])
def test_degenerate_node_type_robust_to_rounding(offset):
    # +-(1, 1/2) are stable degenerate nodes (double eigenvalue -1, a Jordan block). A point
    # a few ulps away (as any optimiser returns it) must not change type: the eigenvalues of
    # a Jordan block split by sqrt(perturbation), ~1e-8 here, which is rounding, not rotation.
    toy = ToySystem()
    for p in ([1.0, 0.5], [-1.0, -0.5]):
        x = np.array(p) + offset
        fps = find_fixed_points(toy, x[None, :], max_iter=1)
        assert fps.n_points == 1
        assert fps.kind[0] == "stable node", (x, fps.eigenvalues[0])


# -- honest statuses -------------------------------------------------------------------------


def test_max_iter_one_far_starts_not_converged():
    far = np.array([[5.0, 5.0], [-6.0, 4.0], [7.0, -3.0], [-4.0, -8.0]])
    fps = find_fixed_points(ToySystem(), far, max_iter=1)
    assert np.all(fps.start_status == "not converged")
    assert fps.n_points == 0 and fps.x.shape == (0, 2)
    assert np.all(fps.start_point == -1)
    assert fps.n_not_converged == 4
    assert np.all(fps.n_iter == 1)
    assert "0 fixed points" in fps.summary()
    for x in fps.x_final:  # the final states are kept but are not points
        assert not in_set(x, fps.x, 1.0)


def test_max_iter_one_network_not_converged():
    net = random_rnn(30, 1.5, seed=7)
    far = np.random.default_rng(7).normal(0.0, 3.0, size=(10, 30))
    fps = find_fixed_points(net, far, max_iter=1)
    assert np.all(fps.start_status == "not converged")
    assert fps.n_points == 0
    assert np.all(fps.start_point == -1)


def _check_status_invariants(fps):
    assert set(fps.start_status) <= {"fixed", "slow", "not converged"}
    assert set(fps.status) <= {"fixed", "slow"}
    assert np.all(fps.q < fps.tol_slow)
    assert np.all(fps.q[fps.status == "fixed"] < fps.tol_fixed)
    slow = fps.status == "slow"
    assert np.all(fps.q[slow] >= fps.tol_fixed)
    np.testing.assert_array_equal(fps.q_final[fps.start_status == "fixed"] < fps.tol_fixed, True)
    # slow points are local minima of q: exact Hessian positive semi-definite
    for x in fps.x[slow]:
        ev = np.linalg.eigvalsh(fps.system.hessian_q(x))
        assert ev.min() >= -1e-8 * max(1.0, np.abs(ev).max())
    assert fps.n_fixed + fps.n_slow == fps.n_points


def test_status_invariants_toy(toy_result):
    _check_status_invariants(toy_result)


def test_status_invariants_chaotic(chaotic):
    _check_status_invariants(chaotic[2])


def test_status_invariants_loose_tol_slow(chaotic_loose):
    net, fps = chaotic_loose
    _check_status_invariants(fps)
    assert fps.n_slow >= 1, "expected local minima of q to count as slow with tol_slow=0.1"
    rng = np.random.default_rng(0)
    for x, q in zip(fps.x[fps.status == "slow"], fps.q[fps.status == "slow"], strict=True):
        assert q >= 1e-6  # genuinely slow, not a root
        nearby = net.q(x + rng.normal(0.0, 1e-3, size=(100, net.dim)))
        assert np.all(nearby >= q - 1e-12), "a reported slow point must be a local minimum of q"


def test_status_invariants_slow(slow_result):
    _check_status_invariants(slow_result)


@pytest.mark.parametrize(
    "eps,tol_slow,expected",
    [
        (1e-4, 1e-6, "slow"),  # q = 5e-9
        (1e-3, 1e-6, "slow"),  # q = 5e-7
        (1e-3, 1e-7, "not converged"),  # q = 5e-7 above tol_slow
        (1e-2, 1e-6, "not converged"),  # q = 5e-5
    ],
)
def test_genuine_slow_point(eps, tol_slow, expected):
    fps = find_fixed_points(SlowSystem(eps), SLOW_STARTS, tol_slow=tol_slow)
    assert np.all(fps.start_status == expected)
    assert fps.n_fixed == 0
    np.testing.assert_allclose(fps.q_final, eps**2 / 2, rtol=1e-6)
    if expected == "slow":
        assert fps.n_points == 1 and fps.n_slow == 1
        assert fps.status[0] == "slow"
        np.testing.assert_allclose(fps.x[0], [0.0, 0.0], atol=1e-4)
        np.testing.assert_allclose(fps.q[0], eps**2 / 2, rtol=1e-6)
        assert fps.counts("slow") == {0: 1}
        assert fps.counts() == {}
    else:
        assert fps.n_points == 0
        assert np.all(fps.start_point == -1)
        assert fps.n_not_converged == len(SLOW_STARTS)


def test_stall_at_saddle_of_q_is_not_slow():
    # With eps < 0, q = (x^2 + eps)^2 / 2 + y^2 / 2 has a saddle at the origin (q = eps^2 / 2,
    # a maximum along x) between the true roots (+-sqrt(-eps), 0). Starts on the line x = 0
    # stay on it by symmetry and stall at the saddle: low q, but not a local minimum.
    eps = -1e-4
    on_line = np.array([[0.0, 0.5], [0.0, -1.0]])
    off_line = np.array([[0.3, 0.5], [-0.2, -1.0]])
    fps = find_fixed_points(SlowSystem(eps), np.vstack([on_line, off_line]))
    assert fps.q_final[0] < fps.tol_slow and fps.q_final[1] < fps.tol_slow
    assert fps.start_status.tolist() == ["not converged", "not converged", "fixed", "fixed"]
    assert fps.n_slow == 0 and fps.n_fixed == 2
    np.testing.assert_allclose(fps.x, [[-0.01, 0.0], [0.01, 0.0]], atol=1e-12)


# -- bookkeeping: duplicates, start_point, order, census, subset --------------------------------


def _check_dedup(fps):
    conv = fps.start_status != "not converged"
    np.testing.assert_array_equal(fps.start_point[~conv], -1)
    assert np.all(fps.start_point[conv] >= 0)
    for s in np.flatnonzero(conv):
        k = fps.start_point[s]
        # merged within dedup_tol, or (slow points) within their position errors together
        tol = max(fps.dedup_tol, fps.error_final[s] + fps.x_error[k])
        assert np.max(np.abs(fps.x_final[s] - fps.x[k])) < tol
        assert fps.q[k] <= fps.q_final[s]
        if fps.start_status[s] == "fixed":  # the kept point has q <= this start's q
            assert fps.status[k] == "fixed"
    for k in range(fps.n_points):
        members = np.flatnonzero(fps.start_point == k)
        assert members.size >= 1
        best = members[np.argmin(fps.q_final[members])]
        assert fps.q[k] == fps.q_final[best]  # the lowest q is the one kept
        np.testing.assert_array_equal(fps.x[k], fps.x_final[best])
    # kept points are distinct at the dedup tolerance and beyond their position errors
    for i in range(fps.n_points):
        for j in range(i):
            d = np.max(np.abs(fps.x[i] - fps.x[j]))
            assert d >= max(fps.dedup_tol, fps.x_error[i] + fps.x_error[j])


def test_dedup_toy(toy_result):
    _check_dedup(toy_result)
    assert len(toy_result.x0) == len(TOY_STARTS)


def test_dedup_chaotic(chaotic):
    _check_dedup(chaotic[2])


def test_dedup_slow_keeps_lowest_q(slow_result):
    fps = slow_result
    _check_dedup(fps)
    # the starts end at slightly different places and q values: all merge into one point
    assert fps.n_points == 1
    assert np.all(fps.start_point == 0)
    assert fps.q[0] == fps.q_final.min()


@pytest.mark.parametrize("dedup_tol,n_expected", [(0.99, {3}), (1.05, {1, 2})])
def test_dedup_tol_is_a_max_norm_threshold(dedup_tol, n_expected):
    # The toy's points are 1, 1 and 2 apart in max-norm (Euclidean: 1.118, 1.118, 2.236),
    # so a max-norm tolerance of 1.05 merges the origin into a node; a Euclidean one would not.
    fps = find_fixed_points(ToySystem(), TOY_STARTS, dedup_tol=dedup_tol)
    assert fps.n_points in n_expected  # which point survives a merge depends on q ties
    _check_dedup(fps)


def test_result_order_is_deterministic(toy_result, chaotic):
    # by number of unstable dimensions, then by coordinates
    np.testing.assert_allclose(toy_result.x, [[-1.0, -0.5], [1.0, 0.5], [0.0, 0.0]], atol=1e-12)
    net, x0, fps = chaotic
    assert np.all(np.diff(fps.n_unstable) >= 0)
    perm = np.random.default_rng(0).permutation(len(x0))
    shuffled = find_fixed_points(net, x0[perm])
    np.testing.assert_allclose(shuffled.x, fps.x, atol=1e-9)
    assert shuffled.kind.tolist() == fps.kind.tolist()
    np.testing.assert_array_equal(shuffled.start_point, fps.start_point[perm])


def test_census(toy_result, chaotic):
    assert toy_result.counts() == {0: 2, 1: 1}
    assert toy_result.counts(None) == {0: 2, 1: 1}
    assert toy_result.counts("slow") == {}
    fps = chaotic[2]
    census = fps.counts(None)
    assert sum(census.values()) == fps.n_points
    for k, c in census.items():
        assert c == np.sum(fps.n_unstable == k)


def test_subset(toy_result):
    fps = toy_result
    st = fps.subset(fps.stable)
    assert st.n_points == 2
    assert all(k == "stable node" for k in st.kind)
    np.testing.assert_array_equal(st.x0, fps.x0)
    np.testing.assert_array_equal(st.x_final, fps.x_final)
    for s in range(len(fps.x0)):
        old = fps.start_point[s]
        new = st.start_point[s]
        if old >= 0 and fps.stable[old]:
            np.testing.assert_array_equal(st.x[new], fps.x[old])
        else:
            assert new == -1
    assert np.any(st.start_point == -1)  # starts that went to the saddle are now unmapped
    saddle = fps.subset(np.flatnonzero(fps.n_unstable == 1))
    assert saddle.n_points == 1 and saddle.kind[0] == "saddle (1 unstable)"
    assert saddle.counts() == {1: 1}
    assert fps.subset(np.zeros(3, bool)).n_points == 0


def test_printed_table(toy_result, capsys):
    fps = toy_result
    print(fps)
    text = capsys.readouterr().out.rstrip("\n")
    assert text == repr(fps)
    lines = text.splitlines()
    assert lines[0] == fps.summary()
    assert "81 starts -> 3 fixed points, 0 slow points, 0 starts not converged" in lines[0]
    assert fps.tolerances in text
    assert "1e-20" in text and "1e-06" in text
    assert len(lines) == 2 + fps.n_points  # summary, header, one row per point
    assert sum("saddle (1 unstable)" in ln for ln in lines) == 1
    assert sum("stable node" in ln for ln in lines) == 2
    rows = fps.rows()
    assert [r["type"] for r in rows] == fps.kind.tolist()
    assert [r["n_unstable"] for r in rows] == fps.n_unstable.tolist()


@pytest.mark.parametrize(
    "tol_fixed,tol_slow", [(1e-20, 1e-6), (1e-18, 1e-8), (1e-20, 2.5e-7), (3e-15, 1.5e-9)]
)
def test_printed_tolerances_are_the_tolerances_used(tol_fixed, tol_slow):
    fps = find_fixed_points(ToySystem(), TOY_STARTS[:10], tol_fixed=tol_fixed, tol_slow=tol_slow)
    text = fps.summary()
    fixed = re.search(r"fixed: q < ([^;\s]+)", text)
    slow = re.search(r"slow: [^;]*?q < ([^;\s]+)", text)
    assert fixed and slow, text
    assert float(fixed.group(1)) == tol_fixed, text
    assert float(slow.group(1)) == tol_slow, text


def test_reproducible(chaotic):
    net, x0, fps = chaotic
    again = find_fixed_points(net, x0)
    for name in ("x", "q", "x_final", "q_final", "n_iter", "start_point", "eigenvalues"):
        np.testing.assert_array_equal(getattr(again, name), getattr(fps, name), err_msg=name)
    for name in ("status", "kind", "start_status"):
        assert getattr(again, name).tolist() == getattr(fps, name).tolist()


def test_chunking_and_paths_do_not_change_results(toy_result):
    chunked = find_fixed_points(ToySystem(), TOY_STARTS, chunk_size=7, record_paths=True)
    np.testing.assert_array_equal(chunked.x_final, toy_result.x_final)
    np.testing.assert_array_equal(chunked.x, toy_result.x)
    assert len(chunked.paths) == len(TOY_STARTS)
    for s, p in enumerate(chunked.paths):
        np.testing.assert_array_equal(p[0], TOY_STARTS[s])
        np.testing.assert_array_equal(p[-1], chunked.x_final[s])
    assert toy_result.paths is None


# -- maps: stability by |lambda| ---------------------------------------------------------------


def test_map_fixed_points_classified_by_modulus():
    m = TanhMap(np.diag([0.5, 2.0]))
    fps = find_fixed_points(m, grid_2d((-1.5, 1.5), (-1.5, 1.5), 7))
    r = scipy.optimize.brentq(lambda x: np.tanh(2 * x) - x, 0.5, 1.5)
    assert fps.n_points == 3
    for p in ([0.0, 0.0], [0.0, r], [0.0, -r]):
        assert in_set(np.array(p), fps.x, 1e-10), p
    origin = int(np.argmin(np.abs(fps.x).max(axis=1)))
    assert fps.kind[origin] == "saddle (1 unstable)"
    assert fps.n_unstable[origin] == 1
    np.testing.assert_allclose(np.abs(fps.eigenvalues[origin]), [2.0, 0.5], atol=1e-12)
    others = [i for i in range(3) if i != origin]
    for i in others:
        assert fps.kind[i] == "stable node"
        assert fps.n_unstable[i] == 0
        np.testing.assert_allclose(np.abs(fps.eigenvalues[i]), [0.5, 2 * (1 - r**2)], atol=1e-10)
    assert fps.counts() == {0: 2, 1: 1}


def test_map_rule_not_flow_rule():
    # dG = diag(0.5, -2) at the origin: unstable for the map (|-2| > 1), although the
    # displacement Jacobian J = dG - I = diag(-0.5, -3) would look stable to the flow rule.
    m = TanhMap(np.diag([0.5, -2.0]))
    fps = find_fixed_points(m, grid_2d((-1.5, 1.5), (-1.5, 1.5), 5))
    assert fps.n_points == 1
    np.testing.assert_allclose(fps.x[0], 0.0, atol=1e-12)
    assert fps.kind[0] == "saddle (1 unstable, flip)"  # the multiplier -2 flips sides
    assert fps.n_unstable[0] == 1


def test_descend_is_the_search_of_find_fixed_points():
    # descend ends every start where find_fixed_points does, without merging or classifying
    from rnnlab.fixedpoints.finder import descend

    net = random_rnn(30, 1.5, seed=4)
    starts = np.random.default_rng(4).normal(size=(12, 30))
    X, q, status = descend(net, starts, step_tol=1e-6)
    full = find_fixed_points(net, starts, dedup_tol=1e-5)
    np.testing.assert_array_equal(X, full.x_final)
    np.testing.assert_array_equal(q, full.q_final)
    assert set(status) <= {"fixed", "stalled", "not converged"}
    assert np.all((status == "fixed") == (full.start_status == "fixed"))
    assert np.all(q[status == "fixed"] < 1e-20)
    X1, _, status1 = descend(net, 10 * starts[:3], max_iter=1)
    assert list(status1) == ["not converged"] * 3 and X1.shape == (3, 30)


def test_mirror_points_share_their_eigenvalues_exactly_as_computed():
    # an odd network: J(-x) = J(x), so the result may reuse one eigen-decomposition per pair;
    # what it reports must equal the eigenvalues computed point by point
    rng = np.random.default_rng(3)
    N = 40
    W = 2.0 * rng.standard_normal((N, N)) / np.sqrt(N)
    net = RateRNN(W)
    assert net.odd
    starts = rng.standard_normal((30, N))
    fps = find_fixed_points(net, np.vstack([starts, -starts]))
    X = fps.x[fps.status == "fixed"]
    pairs = sum(np.min(np.max(np.abs(X + x), axis=1)) < 1e-9 for x in X if np.any(x))
    assert pairs >= 2  # the test needs mirror pairs to mean anything
    direct = net.eigenvalues(fps.x)
    np.testing.assert_allclose(np.sort_complex(fps.eigenvalues), np.sort_complex(direct), atol=1e-8)


# -- slow points: merged and classified at the accuracy their residual allows ------------------


class OddSlowSystem(DynamicalSystem):
    """dx/dt = x ((x^2 - 1)^2 + eps), dy/dt = -y: odd, a root at 0, and near x = +-1 a mirror
    pair of slow points: |F| has a local minimum ~ eps there, where d/dx of F_1 vanishes."""

    dim = 2
    odd = True

    def __init__(self, eps):
        self.eps = eps

    def _rhs(self, X):
        x = X[:, 0]
        return np.stack([x * ((x**2 - 1) ** 2 + self.eps), -X[:, 1]], axis=1)

    def _jacobian(self, X):
        x = X[:, 0]
        J = np.zeros((len(X), 2, 2))
        J[:, 0, 0] = (x**2 - 1) ** 2 + self.eps + 4 * x**2 * (x**2 - 1)
        J[:, 1, 1] = -1.0
        return J

    def _curvature(self, X, V):
        C = np.zeros((len(X), 2, 2))
        C[:, 0, 0] = V[:, 0] * (20 * X[:, 0] ** 3 - 12 * X[:, 0])
        return C

    def slow_point(self):
        """The exact slow point with x > 0: where dF_1/dx = 0."""
        dg = lambda x: (x**2 - 1) ** 2 + self.eps + 4 * x**2 * (x**2 - 1)  # noqa: E731
        return np.array([scipy.optimize.brentq(dg, 0.5, 1.0), 0.0])


@pytest.fixture(scope="module")
def odd_slow():
    """Starts on both sides of each slow point: their copies stall up to ~1e-4 apart, on
    either side, where the eigenvalue nearest 0 has either sign."""
    system = OddSlowSystem(1e-2)
    rng = np.random.default_rng(0)
    s = np.column_stack([rng.uniform(0.6, 1.5, 40), rng.uniform(-1.0, 1.0, 40)])
    return system, find_fixed_points(system, np.vstack([s, -s]), tol_slow=1e-3)


def test_copies_of_a_slow_point_merge_within_their_position_error(odd_slow):
    system, fps = odd_slow
    spread = np.ptp(fps.x_final[(fps.start_status == "slow") & (fps.x_final[:, 0] > 0), 0])
    assert spread > 2 * fps.dedup_tol  # the copies are farther apart than dedup_tol
    assert fps.n_slow == 2 and fps.n_fixed == 0  # yet one point each side, a mirror pair
    x_s = system.slow_point()
    for i in range(2):
        truth = np.sign(fps.x[i, 0]) * x_s
        # the reported error covers the distance to the exact slow point and is informative
        assert np.max(np.abs(fps.x[i] - truth)) <= fps.x_error[i] < 1e-3
    _check_dedup(fps)
    assert "slow points merged within" in fps.tolerances


def test_a_slow_point_is_non_hyperbolic_with_one_count(odd_slow):
    # At a slow point grad q = J^T F = 0 with F != 0: J is singular, an eigenvalue is 0.
    # Its computed value (+-1e-5 at the copies) is the search's error, not a sign to count.
    _, fps = odd_slow
    assert fps.kind.tolist() == ["non-hyperbolic", "non-hyperbolic"]
    assert fps.n_unstable.tolist() == [0, 0]
    lam, err = fps.eigenvalues, fps.eigenvalue_error
    near = np.argmin(np.abs(lam), axis=1)
    assert np.all(np.abs(lam[[0, 1], near]) <= err[[0, 1], near])
    # a mirror pair of an odd system has one spectrum: J(-x) = J(x)
    np.testing.assert_array_equal(lam[0], lam[1])
    np.testing.assert_array_equal(err[0], err[1])


def test_slow_points_of_a_large_chaotic_network_get_one_count():
    # The case of the issue: N = 200, g = 1.5; eight starts (four and their mirror images)
    # stall at one mirror pair of slow points (q = 5e-8), each copy ~1e-6 from the others with
    # its eigenvalue nearest 0 at +-1e-6 (the sign decided where the search stopped).
    net = random_rnn(200, 1.5, seed=3)
    starts = np.random.default_rng(3).standard_normal((128, 200))[[7, 22, 23, 29]]
    fps = find_fixed_points(net, np.vstack([starts, -starts]))
    assert fps.n_slow == 2 and np.all(fps.start_status == "slow")
    assert fps.kind.tolist() == ["non-hyperbolic"] * 2
    assert fps.n_unstable.tolist() == [14, 14]
    np.testing.assert_array_equal(fps.eigenvalues[0], fps.eigenvalues[1])
    # every copy would count 14 unstable eigenvalues beyond their errors
    for x in fps.x_final:
        lam = np.linalg.eigvals(tanh_jacobian(net, x))
        assert np.sum(lam.real > 1e-4) == 14


def test_reported_slow_points_are_never_hyperbolic(chaotic_loose):
    _, fps = chaotic_loose
    slow = np.flatnonzero(fps.status == "slow")
    assert slow.size
    for i in slow:
        lam, err = fps.eigenvalues[i], fps.eigenvalue_error[i]
        assert fps.kind[i] == "non-hyperbolic"
        assert np.any(np.abs(lam.real) <= err)
        assert fps.n_unstable[i] == np.sum(lam.real > err)


def test_fixed_points_keep_their_accuracy_and_tolerances(chaotic, toy_result):
    # Residuals near machine precision: errors near machine precision, the default boundary
    # 1e-9 for every eigenvalue, and duplicates merged at dedup_tol as before.
    for fps in (chaotic[2], toy_result):
        assert np.all(fps.status == "fixed")
        assert np.all(fps.x_error < 1e-10)
        np.testing.assert_array_equal(fps.eigenvalue_error, 1e-9)
        assert "slow points merged" not in fps.tolerances


class CubicFlow(DynamicalSystem):
    """dx/dt = -x^3: a triple root at 0, where Newton's method converges only linearly."""

    dim = 1

    def _rhs(self, X):
        return -(X**3)

    def _jacobian(self, X):
        return (-3 * X**2)[:, :, None]

    def _curvature(self, X, V):
        return (-6 * X * V)[:, :, None]


def test_degenerate_root_reports_its_true_position_error():
    # q < 1e-20 is reached at |x| ~ 1e-3 (q = x^6 / 2); a Newton step there is only |x| / 3,
    # shrinking by 2/3 per step: the error estimate sums the remaining steps, |x| itself.
    fps = find_fixed_points(CubicFlow(), [[1.0], [-0.7], [0.3]])
    assert fps.n_points == 1 and fps.status[0] == "fixed"
    assert np.all(np.abs(fps.x_final) < 1e-6)  # searched to dedup_tol / 10, not to q alone
    x = abs(fps.x[0, 0])
    np.testing.assert_allclose(fps.x_error[0], x, rtol=1e-6)
    assert fps.kind[0] == "non-hyperbolic"


def test_result_arrays_carry_the_errors(toy_result):
    fps = toy_result
    assert fps.x_error.shape == (fps.n_points,)
    assert fps.eigenvalue_error.shape == fps.eigenvalues.shape
    sub = fps.subset(fps.stable)
    np.testing.assert_array_equal(sub.x_error, fps.x_error[fps.stable])
    np.testing.assert_array_equal(sub.eigenvalue_error, fps.eigenvalue_error[fps.stable])
    assert "x_error" in fps.rows()[0]


# -- the Levenberg-Marquardt loop keeps J^T J across rejected steps ---------------------------


@pytest.mark.parametrize("N", [20, 80])  # the batched-LU and the Cholesky paths
def test_damped_solve_solves_and_leaves_the_matrices_alone(N):
    rng = np.random.default_rng(N)
    A = rng.standard_normal((5, N, N))
    H = [a.T @ a for a in A]  # positive semi-definite, as J^T J is
    kept = [h.copy() for h in H]
    mu, b = rng.uniform(0.1, 1.0, 5), rng.standard_normal((5, N))
    x = finder._solve_damped(H, mu, b)
    for h, k, m, bi, xi in zip(H, kept, mu, b, x, strict=True):
        np.testing.assert_array_equal(h, k)
        np.testing.assert_allclose((h + m * np.eye(N)) @ xi, bi, atol=1e-9)


class _CountingRNN(RateRNN):
    """A rate network that counts the states whose Gauss-Newton matrix is built."""

    built = 0

    def _gauss_newton(self, X, J):
        type(self).built += len(X)
        return super()._gauss_newton(X, J)


def test_a_rejected_step_does_not_rebuild_the_gauss_newton_matrix():
    # J^T J is built once per start and once after every accepted step that leaves the
    # search running (the last one of a state may end it), never after a rejected step.
    net = _CountingRNN(random_rnn(100, 1.5, seed=3).W)
    X0 = np.random.default_rng(0).standard_normal((12, 100))
    *_, n_iter, paths = finder._levenberg_marquardt(
        net, X0, tol_fixed=1e-20, max_iter=200, polish_q=1e-8, record_paths=True,
        stall_window=8, stall_rtol=1e-3, step_tol=1e-6,
    )  # fmt: skip
    accepted = sum(len(p) - 1 for p in paths)  # each path lists the accepted steps
    assert accepted <= _CountingRNN.built <= len(X0) + accepted
    assert _CountingRNN.built < n_iter.sum()  # some steps were rejected: the test has teeth
