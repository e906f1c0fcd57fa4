"""Plots: the artists hold the right data, and update in place."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab import ToySystem, find_fixed_points, grid_2d, random_rnn, simulate
from rnnlab.analysis.projection import PCA
from rnnlab.dynamics.systems import TanhMap
from rnnlab.plotting.plots import (
    FIXED_POINT_STYLE,
    nullcline_segments,
    nullclines,
    phase_portrait,
    plot_fixed_points,
    plot_pca,
    plot_spectrum,
    plot_trajectories,
    speed_image,
    update_fixed_points,
    update_nullclines,
    update_spectrum,
    update_speed_image,
    update_trajectories,
    update_vector_field,
    vector_field,
)

XLIM, YLIM = (-2.0, 2.0), (-1.5, 1.5)


def _by_x(P):
    P = np.asarray(P)
    return P[np.argsort(P[:, 0])]


def _on_x_nullcline(P, a, tol):
    """Distance of each point to {x = ±sqrt(a)} ∪ {y = 0}, the zero set of (a - x^2) y."""
    d = np.abs(P[:, 1])
    if a > 0:
        d = np.minimum(d, np.abs(np.abs(P[:, 0]) - np.sqrt(a)))
    return d < tol


@pytest.mark.parametrize("n", [300, 301])  # 301: y = 0 is a grid row, F_0 = 0 all along it
def test_toy_nullclines_lie_on_the_true_curves(n):
    sx, sy = nullcline_segments(ToySystem(), XLIM, YLIM, n)
    h = (XLIM[1] - XLIM[0]) / (n - 1)
    P = np.concatenate(sy)
    np.testing.assert_allclose(P[:, 1], 0.5 * P[:, 0], atol=1e-12)  # y = x/2, F_1 linear
    assert P[:, 0].min() == pytest.approx(-2.0) and P[:, 0].max() == pytest.approx(2.0)
    P = np.concatenate(sx)
    assert np.all(_on_x_nullcline(P, 1.0, h))
    # All three branches are there, across the whole window.
    on_y0 = np.abs(P[:, 1]) < h
    assert P[on_y0, 0].min() < -1.9 and P[on_y0, 0].max() > 1.9
    for x in (-1.0, 1.0):
        branch = P[np.abs(P[:, 0] - x) < h]
        assert branch[:, 1].min() < -1.4 and branch[:, 1].max() > 1.4


def test_nullclines_update_in_place():
    _, ax = plt.subplots()
    nc = nullclines(ax, ToySystem(), XLIM, YLIM)
    assert [lc.get_label() for lc in nc.lines] == [r"$\dot x = 0$", r"$\dot y = 0$"]
    assert nc.dx.get_color().tolist() != nc.dy.get_color().tolist()
    before = nc.dx
    update_nullclines(nc, ToySystem(a=0.25, b=-1.0))
    assert nc.dx is before  # same artist, new segments
    P = np.concatenate(nc.dx.get_segments())
    assert np.all(_on_x_nullcline(P, 0.25, 0.02))
    assert np.any(np.abs(P[:, 0] - 0.5) < 1e-3) and np.any(np.abs(P[:, 0] + 0.5) < 1e-3)
    P = np.concatenate(nc.dy.get_segments())
    np.testing.assert_allclose(P[:, 1], -P[:, 0], atol=1e-12)
    # a < 0: only y = 0 is left
    update_nullclines(nc, ToySystem(a=-0.5))
    P = np.concatenate(nc.dx.get_segments())
    np.testing.assert_allclose(P[:, 1], 0.0, atol=1e-12)


def test_vector_field_unit_arrows_update():
    _, ax = plt.subplots()
    q = vector_field(ax, ToySystem(), XLIM, YLIM, n=11)
    at_rest = np.all(np.isclose(q.get_offsets(), 0.0), axis=1)  # the origin: F = 0
    assert at_rest.sum() == 1
    np.testing.assert_allclose(np.hypot(q.U, q.V)[~at_rest], 1.0)
    assert q.U[at_rest] == 0 and q.V[at_rest] == 0  # no direction: no arrow, no NaN
    XY = q.get_offsets()
    F = ToySystem(0.25, -0.5).rhs(XY)[~at_rest]
    update_vector_field(q, ToySystem(0.25, -0.5))
    np.testing.assert_allclose(q.U[~at_rest], F[:, 0] / np.hypot(*F.T))
    np.testing.assert_allclose(q.V[~at_rest], F[:, 1] / np.hypot(*F.T))
    np.testing.assert_allclose(q.get_array()[~at_rest], np.log10(np.hypot(*F.T)))


def test_speed_image_is_log_q_and_updates():
    _, ax = plt.subplots()
    im = speed_image(ax, ToySystem(), XLIM, YLIM, n=40)
    assert tuple(im.get_extent()) == (*XLIM, *YLIM)
    # pixel (row 5, column 7) sits at the centre of its cell
    x = XLIM[0] + 7.5 * 4.0 / 40
    y = YLIM[0] + 5.5 * 3.0 / 40
    assert im.get_array()[5, 7] == pytest.approx(np.log10(ToySystem().q([x, y])))
    update_speed_image(im, ToySystem(0.25, 1.0))
    assert im.get_array()[5, 7] == pytest.approx(np.log10(ToySystem(0.25, 1.0).q([x, y])))


def test_fixed_point_offsets_equal_the_points():
    toy = ToySystem()
    fps = find_fixed_points(toy, grid_2d(XLIM, YLIM, 5))
    _, ax = plt.subplots()
    art = plot_fixed_points(ax, fps)
    assert set(art) == set(FIXED_POINT_STYLE)
    stable = _by_x(art["stable"].get_offsets())
    np.testing.assert_allclose(stable, [[-1.0, -0.5], [1.0, 0.5]], atol=1e-10)
    np.testing.assert_allclose(art["saddle"].get_offsets(), [[0.0, 0.0]], atol=1e-10)
    assert len(art["unstable"].get_offsets()) == 0
    # Stable is filled, unstable open (white): the type is readable from the marker.
    assert tuple(art["stable"].get_facecolor()[0][:3]) == (0.0, 0.0, 0.0)
    assert tuple(art["unstable"].get_facecolor()[0][:3]) == (1.0, 1.0, 1.0)

    fps2 = find_fixed_points(ToySystem(1.0, -0.5), grid_2d(XLIM, YLIM, 5))
    update_fixed_points(art, fps2)
    assert len(art["stable"].get_offsets()) == 1  # the origin, a stable focus
    np.testing.assert_allclose(
        _by_x(art["saddle"].get_offsets()), [[-1.0, 0.5], [1.0, -0.5]], atol=1e-10
    )


def test_fixed_points_projected_and_3d():
    net = random_rnn(20, 0.5, seed=1)  # g < 1: only the origin
    fps = find_fixed_points(net, np.random.default_rng(0).normal(size=(4, 20)))
    states = np.random.default_rng(2).normal(size=(100, 20))
    pca = PCA(3).fit(states)
    _, ax = plt.subplots()
    art = plot_fixed_points(ax, fps, projection=pca)
    np.testing.assert_allclose(art["stable"].get_offsets(), pca.transform(fps.x)[:, :2])
    ax3 = plt.figure().add_subplot(projection="3d")
    art3 = plot_fixed_points(ax3, fps, projection=pca.transform)
    np.testing.assert_allclose(np.column_stack(art3["stable"]._offsets3d), pca.transform(fps.x))
    with pytest.raises(ValueError, match="projection"):
        plot_fixed_points(ax, fps)  # N = 20 on a 2-D axes


def test_trajectories_lines_and_update():
    toy = ToySystem()
    _, x = simulate(toy, [[0.1, 0.0], [-0.1, 0.0]], 10.0)
    _, ax = plt.subplots()
    lines = plot_trajectories(ax, x)
    assert len(lines) == 2
    np.testing.assert_allclose(np.column_stack(lines[1].get_data()), x[1])
    update_trajectories(lines, x[:, ::-1])
    np.testing.assert_allclose(np.column_stack(lines[0].get_data()), x[0, ::-1])
    with pytest.raises(ValueError, match="2 lines"):
        update_trajectories(lines, x[0])
    with pytest.raises(ValueError, match=r"\(T, N\)"):
        plot_trajectories(ax, np.zeros(5))


def test_spectrum_flow_boundary_circle_and_update():
    g = 1.5
    net = random_rnn(100, g, seed=0)
    lam = net.eigenvalues(np.zeros(100))
    art = plot_spectrum(lam, radius=g, center=-1.0)
    # the boundary of a flow is the line Re = 0
    assert art.boundary in art.ax.lines
    np.testing.assert_array_equal(art.boundary.get_xdata(), [0.0, 0.0])
    np.testing.assert_allclose(art.points.get_offsets(), np.column_stack([lam.real, lam.imag]))
    cx, cy = art.circle.get_data()
    np.testing.assert_allclose(np.hypot(cx + 1.0, cy), g)
    # red on the unstable side
    fc = art.points.get_facecolor()
    unstable = lam.real > 0
    assert unstable.any() and (~unstable).any()
    assert len({tuple(c) for c in fc[unstable]}) == 1 and not np.allclose(
        fc[unstable][0], fc[~unstable][0]
    )
    # limits contain the disk and the boundary
    x0, x1 = art.ax.get_xlim()
    assert x0 < -1 - g and x1 > 0
    update_spectrum(art, lam / 2, radius=0.75, center=-1.0)
    np.testing.assert_allclose(art.points.get_offsets()[:, 0], lam.real / 2)
    np.testing.assert_allclose(np.hypot(art.circle.get_xdata() + 1.0, art.circle.get_ydata()), 0.75)


def test_spectrum_map_boundary_is_unit_circle():
    W = np.random.default_rng(0).normal(0, 0.5 / np.sqrt(30), (30, 30))
    m = TanhMap(W)
    art = plot_spectrum(m.eigenvalues(np.zeros(30)), discrete=True)
    np.testing.assert_allclose(np.hypot(*art.boundary.get_data()), 1.0)
    assert art.circle is None
    with pytest.raises(ValueError, match="1-D"):
        plot_spectrum(np.zeros((2, 2)))


def test_plot_pca_projects_states_and_points():
    net = random_rnn(30, 1.8, seed=3)
    _, x = simulate(net, np.random.default_rng(0).normal(size=(2, 30)), 20.0)
    pts = x[:, -1]
    art = plot_pca(x, pts)
    Y = art.pca.transform(x)
    np.testing.assert_allclose(np.column_stack(art.trajectories[1].get_data()), Y[1])
    np.testing.assert_allclose(art.fixed_points["unclassified"].get_offsets(), Y[:, -1])
    assert art.ax.get_xlabel().startswith("PC1")
    art3 = plot_pca(x, dims=3)
    assert art3.ax.name == "3d" and art3.pca.n_components == 3
    with pytest.raises(ValueError, match="dims"):
        plot_pca(x, dims=4)
    with pytest.raises(ValueError, match="components"):
        plot_pca(x, pca=PCA(1).fit(x), dims=2)


def test_phase_portrait_composes_everything():
    toy = ToySystem()
    fps = find_fixed_points(toy, grid_2d(XLIM, YLIM, 5))
    _, x = simulate(toy, [0.1, 0.0], 10.0)
    art = phase_portrait(toy, XLIM, YLIM, fixed_points=fps, trajectories=x)
    assert art.ax.get_xlim() == XLIM and art.ax.get_ylim() == YLIM
    assert art.speed is not None and art.field is not None and art.nullclines is not None
    assert len(art.trajectories) == 1
    labels = [t.get_text() for t in art.legend.get_texts()]
    assert labels == [r"$\dot x = 0$", r"$\dot y = 0$", "trajectory", "stable", "saddle"]
    np.testing.assert_allclose(art.fixed_points["saddle"].get_offsets(), [[0.0, 0.0]], atol=1e-10)
    stream = phase_portrait(toy, XLIM, YLIM, field="stream", show_speed=False, fixed_points=True)
    assert stream.speed is None and len(stream.fixed_points["stable"].get_offsets()) == 2


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: phase_portrait(ToySystem(), (2, -2), YLIM), ValueError, "xlim"),
        (lambda: phase_portrait(ToySystem(), XLIM, YLIM, field="arrows"), ValueError, "field"),
        (lambda: nullcline_segments(random_rnn(3, 1.0, seed=0), XLIM, YLIM), ValueError, "2-D"),
        (lambda: speed_image(None, ToySystem(), XLIM, YLIM, n=1), ValueError, "at least 2"),
        (lambda: vector_field(None, "toy", XLIM, YLIM), TypeError, "DynamicalSystem"),
        (
            lambda: plot_fixed_points(None, np.zeros((2, 2)), kind=["stable node"]),
            ValueError,
            "kind",
        ),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    ("eigenvalues", "discrete", "family"),
    [
        ([-1.0, -1.0], False, "stable"),
        ([-0.5 + 1j, -0.5 - 1j], False, "stable"),
        ([0.3, -1.0], False, "saddle"),
        ([0.5 + 1j, 0.5 - 1j], False, "unstable"),
        ([0.0, -1.0], False, "non-hyperbolic"),
        ([1.5, 0.5], True, "saddle"),
    ],
)
def test_every_type_has_a_family(eigenvalues, discrete, family):
    from rnnlab import classify
    from rnnlab.plotting.plots import fixed_point_family

    assert fixed_point_family(classify(eigenvalues, discrete=discrete)) == family


def test_spectrum_rejects_bad_radius_and_nan():
    with pytest.raises(ValueError, match="radius"):
        plot_spectrum([-1.0 + 0j], radius=-1.0)
    with pytest.raises(ValueError, match="finite"):
        plot_spectrum([np.nan])
