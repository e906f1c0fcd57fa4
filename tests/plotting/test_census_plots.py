"""Chapter 03's figures (rnnlab.plotting.census_plots): what they draw, checked on the artists."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from cube_network import cube_esn

import rnnlab
from rnnlab.flipflop.census import census
from rnnlab.flipflop.evolution import Evolution
from rnnlab.plotting.census_plots import (
    INDEX_STYLE,
    cube_edges,
    plot_census_over_training,
    plot_channels,
    plot_cube_views,
    plot_force_training,
    plot_origin_spectra,
)


@pytest.fixture(scope="module")
def cube():
    """The ideal 3-bit cube network, a run of it, and its (complete) census."""
    esn = cube_esn()
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True)
    states, _ = esn.run(task.generate(600, seed=0)[0])
    return esn, states, census(esn, states, n_samples=30, seed=0)


@pytest.fixture(scope="module")
def trained():
    """A tiny FORCE-trained network (N = 60, 3000 steps) and a test run of it."""
    esn = rnnlab.ESN(60, g=0.5, seed=0)
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
    history = rnnlab.train_force(esn, *task.generate(3000, seed=0))
    u, y = task.generate(800, seed=1)
    return esn, history, esn.run(u)[1], y


def test_plot_channels_offsets_each_channel_and_checks_shapes():
    z = np.tile([[1.0, -1.0, 0.5]], (10, 1))
    _, ax = plt.subplots()
    lines = plot_channels(ax, z, -z, np.arange(4), "title")
    assert len(lines) == 3
    # channel 1 on top (offset 6), channel 3 at the bottom (offset 0)
    assert [line.get_ydata()[0] for line in lines] == [7.0, 2.0, 0.5]
    assert ax.get_title() == "title"
    with pytest.raises(ValueError, match="z and y"):
        plot_channels(ax, z, z[:, :2], np.arange(4))
    with pytest.raises(ValueError, match="steps"):
        plot_channels(ax, z, z, np.arange(20))


def test_plot_force_training_has_the_four_panels(trained):
    _, history, z, y = trained
    fig = plot_force_training(history, z, y, n_show=500, smooth=100)
    axes = fig.axes
    assert len(axes) == 4
    assert [ax.get_title()[:3] for ax in axes] == ["(a)", "(b)", "(c)", "(d)"]
    # (a) draws 500 training steps of each of the three outputs (and targets)
    assert len(axes[0].lines) == 6 and len(axes[0].lines[1].get_xdata()) == 500
    # (d) the readout norm after every update
    assert np.array_equal(axes[3].lines[0].get_ydata(), history.readout_norm)
    with pytest.raises(ValueError, match="smooth"):
        plot_force_training(history, z, y, smooth=0)


def test_cube_edges_join_two_memories_through_their_saddle(cube):
    esn, _, c = cube
    edges = cube_edges(c)
    assert edges.shape == (12, 3, esn.N)
    bits = np.sign(esn.readout(edges)).astype(int)  # (12, 3 points, 3 bits)
    for corner_a, saddle, corner_b in bits:
        differ = corner_a != corner_b
        assert differ.sum() == 1  # the two ends differ in one bit ...
        assert saddle[differ][0] == 0  # ... which is 0 at the saddle between them


def test_plot_cube_views_draws_every_point_and_edge(cube):
    esn, states, c = cube
    kicks = 0.01 * np.random.default_rng(0).standard_normal((2, esn.N))
    runs = np.stack([esn.run(np.zeros((50, 3)), x0=k)[0] for k in kicks])
    views = [(esn.readout, "readout", ("z1", "z2", "z3"))] * 2
    fig = plot_cube_views(c, views, states, runs)
    axes = [ax for ax in fig.axes if ax.name == "3d"]
    assert len(axes) == 2
    ax = axes[0]
    # 12 edges + 1 test run + 2 kicked runs
    assert len(ax.lines) == 12 + 1 + 2
    n_drawn = sum(len(col._offsets3d[0]) for col in ax.collections)
    assert n_drawn == c.points.n_points == 27
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "kicked from the centre" in labels and "3 unstable" in labels
    fig = plot_cube_views(c, views[:1], states)
    assert "kicked from the centre" not in [t.get_text() for t in fig.legends[0].get_texts()]
    with pytest.raises(ValueError, match="views"):
        plot_cube_views(c, [], states)


def test_plot_census_over_training_stacks_the_counts(cube):
    esn, _, c = cube
    evolution = Evolution(np.array([0, 100]), np.stack([esn.W_o] * 2), [c, c])
    ax = plot_census_over_training(evolution)
    assert len(ax.containers) == len(INDEX_STYLE)
    heights = np.array([[bar.get_height() for bar in cont] for cont in ax.containers])
    assert heights[:, 0].tolist() == [8, 12, 6, 1, 0]
    assert heights.sum(axis=0).tolist() == [27, 27]
    assert any("ideal cube: 27" in t.get_text() for t in ax.texts)
    with pytest.raises(ValueError, match="no snapshots"):
        plot_census_over_training(Evolution(np.array([]), np.zeros((0, 3, esn.N)), []))


def test_plot_origin_spectra_counts_the_unstable_eigenvalues(trained):
    esn, *_ = trained
    fig = plot_origin_spectra([esn], ["small"])
    lam = esn.closed_loop().eigenvalues(np.zeros(esn.N))
    n = int(np.sum(lam.real > 1e-9))
    assert fig.axes[0].get_title().endswith(f"{n} with Re > 0")
    with pytest.raises(ValueError, match="one length"):
        plot_origin_spectra([esn], ["a", "b"])
