"""The phase portrait over training, and the app that replays it (small networks, fast)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab import ESN, PCA, FlipFlopTask, train_force
from rnnlab.flipflop.evolution import Evolution, fixed_point_pca, fixed_points_over_training
from rnnlab.plotting.census_plots import (
    INDEX_STYLE,
    plot_fixed_points_by_index,
    update_fixed_points_by_index,
)
from rnnlab.widgets import TrainingApp

N = 100
TASK = FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)


@pytest.fixture(scope="module")
def trained():
    """A small network trained by the course's recipe (g = 0.6), with its test states."""
    esn = ESN(N, g=0.6, seed=0)
    u, y = TASK.generate(10_000, seed=0)
    history = train_force(esn, u, y, snapshot_every=1000)
    u_test, y_test = TASK.generate(1500, seed=1)
    states, _ = esn.run(u_test)
    return esn, history, states, u_test, y_test


@pytest.fixture(scope="module")
def evolution(trained):
    esn, history, states, *_ = trained
    return fixed_points_over_training(esn, history, states, updates=[0, 1000, 5000], seed=0)


@pytest.fixture
def app(trained, evolution):
    esn, history, _, u_test, y_test = trained
    a = TrainingApp(esn, history, evolution, inputs=u_test[:400], targets=y_test[:400])
    yield a
    a.close()


# -- fixed_points_over_training ----------------------------------------------------------------


def test_before_training_the_origin_is_the_only_fixed_point_and_stable(evolution):
    first = evolution[0]
    assert evolution.updates[0] == 0
    assert first.counts() == {0: 1}
    assert np.abs(first.points.x).max() < 1e-12
    assert first.points.kind[0].startswith("stable")
    assert evolution.origin_unstable()[0] == 0


def test_after_training_eight_memories(evolution):
    last = evolution[-1]
    assert evolution.updates[-1] == 5000
    assert last.counts()[0] == 8
    assert evolution.n_stable[-1] == 8
    patterns = last.stable_patterns
    assert len(set(patterns)) == 8 and all(0 not in p for p in patterns)
    assert evolution.origin_unstable()[-1] > 0  # the centre of the cube is a saddle


def test_each_snapshot_searches_its_own_readout(trained, evolution):
    esn, history, *_ = trained
    for u, W_o, c in zip(evolution.updates, evolution.readouts, evolution, strict=True):
        k = int(np.flatnonzero(history.snapshot_updates == u)[0])
        np.testing.assert_array_equal(W_o, history.snapshots[k])
        # every point found is a fixed point of *that* closed loop
        F = esn.closed_loop(W_o=W_o).rhs(c.points.x)
        assert np.abs(F).max() < 1e-8
    np.testing.assert_array_equal(esn.W_o, history.snapshots[-1])  # esn left as it was


def test_counts_and_table(evolution):
    assert evolution.counts() == [c.counts() for c in evolution]
    assert list(evolution.n_points) == [c.points.n_fixed for c in evolution]
    text = repr(evolution)
    assert text.splitlines()[0].split()[0] == "updates"
    assert "5000" in text and "{0: 1}" in text
    assert len(evolution) == 3 and list(iter(evolution)) == evolution.censuses


def test_every_thins_and_keeps_the_last(trained, monkeypatch):
    esn, history, states, *_ = trained
    import rnnlab.flipflop.evolution as evo_module

    seen = []

    def fake_census(esn, states, *, W_o, **kwargs):
        seen.append(W_o)
        return "census"

    monkeypatch.setattr(evo_module, "census", fake_census)
    evo = fixed_points_over_training(esn, history, states, every=3, seed=0)
    n = len(history.snapshots)  # 0, 1000, ..., 5000: six snapshots
    expected = list(range(0, n, 3)) + ([n - 1] if (n - 1) % 3 else [])
    assert list(evo.updates) == list(history.snapshot_updates[expected])
    assert len(seen) == len(expected)


def test_bad_arguments(trained):
    esn, history, states, *_ = trained
    with pytest.raises(ValueError, match="no snapshot after 1234 updates"):
        fixed_points_over_training(esn, history, states, updates=[1234], seed=0)
    with pytest.raises(ValueError, match="at least one snapshot"):
        fixed_points_over_training(esn, history, states, updates=[], seed=0)
    with pytest.raises(TypeError, match="ForceHistory"):
        fixed_points_over_training(esn, "history", states, seed=0)
    with pytest.raises(TypeError, match="ESN"):
        fixed_points_over_training("esn", history, states, seed=0)
    other = ESN(50, g=0.6, seed=0)
    with pytest.raises(ValueError, match="trained on this network"):
        fixed_points_over_training(other, history, states, seed=0)


def test_above_gain_one_the_untrained_origin_is_unstable():
    # Jang's Fig. 7a (a single stable origin before training) needs g < 1.
    esn = ESN(60, g=1.5, seed=3)
    u, y = TASK.generate(300, seed=0)
    history = train_force(esn, u, y, snapshot_every=1000)  # only the zero readout
    states, _ = esn.run(u)
    evo = fixed_points_over_training(esn, history, states, updates=[0], n_samples=5, seed=0)
    lam = np.linalg.eigvals(-np.eye(60) + esn.W_r)
    expected = int(np.sum(lam.real > 1e-9))
    assert expected > 0
    assert evo.origin_unstable()[0] == expected


def test_fixed_point_pca_is_jangs_correlation_pca(evolution):
    last = evolution[-1]
    pca = fixed_point_pca(last)
    ref = PCA(3, correlation=True).fit(last.points.x)
    assert pca.correlation and pca.n_components == 3
    np.testing.assert_allclose(pca.components_, ref.components_)
    np.testing.assert_allclose(fixed_point_pca(last.points).components_, ref.components_)
    assert pca.transform(last.points.x).shape == (last.points.n_points, 3)


# -- the app -------------------------------------------------------------------------------------


def _offsets3d(col):
    return np.column_stack([np.asarray(v, dtype=float) for v in col._offsets3d]).reshape(-1, 3)


def test_slider_moves_the_artists_to_the_precomputed_snapshot(app, evolution):
    calls = []
    app.fig.canvas.draw_idle = lambda *a, **k: calls.append(1)
    scatters = dict(app.fixed_points)
    line, outputs = app.trajectory_line, list(app.output_lines)
    last = len(evolution) - 1

    app.snapshot_slider.value = last

    assert calls  # a redraw was requested ...
    assert app.fixed_points == scatters and app.trajectory_line is line  # ... in place
    assert app.output_lines == outputs
    for k, col in app.fixed_points.items():
        want = app.points[last][np.minimum(app.n_unstable[last], 4) == k]
        np.testing.assert_allclose(_offsets3d(col), want)
    assert len(_offsets3d(app.fixed_points[0])) == 8
    np.testing.assert_allclose(
        np.column_stack(line.get_data_3d()), app.trajectories[last], atol=1e-12
    )
    np.testing.assert_allclose(
        app.output_lines[0].get_ydata(), app.outputs[last, :, 0] + app.offsets[0]
    )
    assert list(app.snapshot_line.get_xdata()) == [5000, 5000]
    title = app.title.get_text()
    assert title.startswith("after 5000 updates:") and title.endswith(", 8 stable")
    assert "ideal 3-bit cube" in app.table.value

    app.update(0)
    assert len(_offsets3d(app.fixed_points[0])) == 1
    np.testing.assert_allclose(_offsets3d(app.fixed_points[0]), app.points[0])
    for k in (1, 2, 3, 4):
        assert len(_offsets3d(app.fixed_points[k])) == 0
    assert app.title.get_text() == "after 0 updates: 1 fixed point, 1 stable"


def test_precomputed_runs_use_each_snapshots_readout(trained, app, evolution):
    esn, _, _, u_test, _ = trained
    k = 1
    x, z = esn.run(u_test[:400], W_o=evolution.readouts[k])
    np.testing.assert_allclose(app.outputs[k], z)
    np.testing.assert_allclose(app.trajectories[k], app.projection.transform(x))
    assert np.abs(app.outputs[0]).max() < 1e-12  # W_o = 0 reads nothing


def test_static_fallback_and_first_snapshot(trained, evolution):
    esn, history, _, u_test, _ = trained
    app = TrainingApp(esn, history, evolution, esn.readout, inputs=u_test[:200], snapshot=-1)
    try:
        assert app.snapshot_slider.value == len(evolution) - 1
        assert app.ax.get_xlabel() == "z1"
        bundle = app._repr_mimebundle_()
        assert "data:image/png;base64," in bundle["text/html"]
        assert "application/vnd.jupyter.widget-view+json" not in bundle
        with pytest.raises(ValueError, match="between 0 and 2"):
            app.update(3)
    finally:
        app.close()
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match="index into the 3 snapshots"):
        TrainingApp(esn, history, evolution, inputs=u_test[:200], snapshot=3)
    with pytest.raises(TypeError, match="snapshot must be an integer"):
        TrainingApp(esn, history, evolution, inputs=u_test[:200], snapshot=1.0)
    assert plt.get_fignums() == figures  # refused before any figure or run was made
    with pytest.raises(ValueError, match="targets must have shape"):
        TrainingApp(esn, history, evolution, inputs=u_test[:200], targets=np.zeros((5, 3)))


def test_plot_fixed_points_by_index_in_2d():
    fig, ax = plt.subplots()
    try:
        P = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        arts = plot_fixed_points_by_index(ax, P, [0, 1, 1, 6])
        assert set(arts) == set(INDEX_STYLE)
        np.testing.assert_allclose(arts[1].get_offsets(), P[1:3])
        np.testing.assert_allclose(arts[4].get_offsets(), P[3:])  # 6 unstable: "4+"
        update_fixed_points_by_index(arts, P[:1], [2])
        assert len(arts[1].get_offsets()) == 0
        np.testing.assert_allclose(arts[2].get_offsets(), P[:1])
        with pytest.raises(ValueError, match="3 entries for 4 points"):
            plot_fixed_points_by_index(ax, P, [0, 1, 2])
    finally:
        plt.close(fig)


def test_app_needs_an_evolution(trained):
    esn, history, _, u_test, _ = trained
    with pytest.raises(TypeError, match="Evolution"):
        TrainingApp(esn, history, Evolution(np.zeros(0), np.zeros((0, 3, N)), []), inputs=u_test)
