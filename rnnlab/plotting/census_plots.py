"""Fixed points drawn by their number of unstable dimensions (a census at a glance).

Stable corners, edge saddles (1 unstable dimension), face saddles (2), the centre (3) and
anything with more each get a marker of their own, in 2-D or 3-D axes, updatable in place.

Also the figures of chapter 03 built on them: a flip-flop's outputs against its targets
(:func:`plot_channels`, :func:`plot_force_training`), the cube of fixed points in two views
(:func:`plot_cube_views`, with :func:`cube_edges`), the census at snapshots of training
(:func:`plot_census_over_training`) and the spectra at the origin
(:func:`plot_origin_spectra`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from rnnlab.dynamics.stability import n_unstable as _n_unstable
from rnnlab.plotting.complex_plane import plot_spectrum
from rnnlab.plotting.plots import (
    FIXED_POINT_STYLE,
    TRAJECTORY_COLOR,
    plot_trajectories,
    set_points,
)

if TYPE_CHECKING:  # only for the annotations; the modules import this one
    from rnnlab.flipflop.census_result import Census
    from rnnlab.flipflop.evolution import Evolution
    from rnnlab.models.esn import ESN
    from rnnlab.models.force import ForceHistory

__all__ = [
    "INDEX_STYLE",
    "cube_edges",
    "index_handles",
    "plot_census_over_training",
    "plot_channels",
    "plot_cube_views",
    "plot_fixed_points_by_index",
    "plot_force_training",
    "plot_origin_spectra",
    "update_fixed_points_by_index",
]


#: Marker style by number of unstable dimensions, i.e. by place on the cube of memories:
#: corner (0, the memories), edge (1), face (2), centre (3); 4 collects anything higher.
INDEX_STYLE: dict[int, dict] = {
    0: FIXED_POINT_STYLE["stable"],
    1: dict(marker="D", s=60, facecolors="#f28e2b", edgecolors="black", linewidths=1.0),
    2: dict(marker="s", s=60, facecolors="#d62728", edgecolors="black", linewidths=1.0),
    3: dict(marker="^", s=110, facecolors="#7b3294", edgecolors="black", linewidths=1.0),
    4: dict(marker="X", s=70, facecolors="0.6", edgecolors="0.2", linewidths=1.0),
}
_INDEX_LABEL = {0: "stable", 1: "1 unstable", 2: "2 unstable", 3: "3 unstable", 4: "4+ unstable"}


def _index_key(n_unstable) -> np.ndarray:
    return np.minimum(np.asarray(n_unstable, dtype=int), max(INDEX_STYLE))


def plot_fixed_points_by_index(
    ax: Axes, points, n_unstable, *, scale: float = 1.0
) -> dict[int, PathCollection]:
    """Scatter projected fixed points styled by their number of unstable dimensions.

    Parameters
    ----------
    ax : Axes
        2-D, or 3-D (``projection='3d'``).
    points : array_like, shape (n_points, 2 or 3)
        Already projected coordinates, as many as the axes has dimensions.
    n_unstable : array_like of int, shape (n_points,)
    scale : float
        Multiplies the marker areas.

    Returns
    -------
    dict of int to PathCollection
        Keyed 0-4 (4: four or more); every key is present, possibly empty, so
        :func:`update_fixed_points_by_index` can fill it later.
    """
    dims = 3 if ax.name == "3d" else 2
    P = np.asarray(points, dtype=float).reshape(-1, dims)
    key = _index_key(n_unstable)
    if len(key) != len(P):
        raise ValueError(f"n_unstable has {len(key)} entries for {len(P)} points")
    out = {}
    for k, style in INDEX_STYLE.items():
        st = {**style, "s": style["s"] * scale, "zorder": 5, "label": _INDEX_LABEL[k]}
        if dims == 3:
            st["depthshade"] = False  # shading would fake a type by its colour
        out[k] = ax.scatter(*([[]] * dims), **st)
        set_points(out[k], P[key == k])
    return out


def update_fixed_points_by_index(
    artists: dict[int, PathCollection], points, n_unstable
) -> dict[int, PathCollection]:
    """Move the scatters of :func:`plot_fixed_points_by_index` to new points, in place."""
    dims = 3 if hasattr(artists[0], "_offsets3d") else 2
    P = np.asarray(points, dtype=float).reshape(-1, dims)
    key = _index_key(n_unstable)
    for k, col in artists.items():
        set_points(col, P[key == k])
    return artists


def index_handles(indices=(0, 1, 2, 3)) -> list[Line2D]:
    """Legend entries for :data:`INDEX_STYLE`."""
    handles = []
    for k in indices:
        st = INDEX_STYLE[k]
        handles.append(
            Line2D(
                [], [], linestyle="none", marker=st["marker"],
                markersize=np.sqrt(st["s"]) * 0.9, markerfacecolor=st["facecolors"],
                markeredgecolor=st["edgecolors"], label=_INDEX_LABEL[k],
            )
        )  # fmt: skip
    return handles


# -- chapter 03's figures ---------------------------------------------------------------------


def plot_channels(ax: Axes, z, y, steps, title: str | None = None) -> list[Line2D]:
    """A flip-flop's outputs (colour) over its targets (dashed), one channel above the other.

    Parameters
    ----------
    ax : Axes
    z, y : array_like, shape (T, n_out)
        Outputs and targets.
    steps : array_like of int
        The time steps to draw (indices into ``z`` and ``y``).
    title : str, optional

    Returns
    -------
    list of Line2D
        The output lines, one per channel (top channel first).
    """
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    if z.ndim != 2 or z.shape != y.shape:
        raise ValueError(
            f"z and y must be (T, n_out) arrays of one shape, got {z.shape} and {y.shape}"
        )
    steps = np.asarray(steps, dtype=int)
    if steps.size == 0 or steps.min() < 0 or steps.max() >= len(z):
        raise ValueError(f"steps must be non-empty indices into the {len(z)} time steps")
    n = z.shape[1]
    lines = []
    for j in range(n):
        off = 3.0 * (n - 1 - j)
        ax.plot(steps, y[steps, j] + off, color="0.3", lw=1, ls="--")
        lines += ax.plot(steps, z[steps, j] + off, color=f"C{j}", lw=1.2)
    ax.set_yticks([3.0 * (n - 1 - j) for j in range(n)], [f"$z_{j + 1}$" for j in range(n)])
    ax.set_ylim(-2.2, 3.0 * (n - 1) + 2.2)
    if title is not None:
        ax.set_title(title, fontsize="medium")
    return lines


def plot_force_training(
    history: ForceHistory, z_test, y_test, *, n_show: int = 2000, smooth: int = 1000
) -> Figure:
    """Four panels after Jang's Figure 5: outputs in training and on a test, error, |W_o|.

    Parameters
    ----------
    history : ForceHistory
        What :func:`rnnlab.train_force` returned.
    z_test, y_test : array_like, shape (T, n_out)
        Outputs of the trained network (weights frozen) on a test sequence, and its targets.
    n_show : int
        Time steps drawn in the output panels (from the start of each sequence).
    smooth : int
        Width of the running mean of the training error.

    Returns
    -------
    Figure
    """
    n_train = len(history.outputs)
    n_show = min(int(n_show), n_train, len(np.asarray(z_test)))
    if n_show < 1 or smooth < 1:
        raise ValueError(f"n_show and smooth must be >= 1, got {n_show} and {smooth}")
    fig, axes = plt.subplots(2, 2, figsize=(11, 6), layout="constrained")
    steps = np.arange(n_show)
    plot_channels(
        axes[0, 0], history.outputs, history.targets, steps,
        "(a) training: output (colour) and target (dashed)",
    )  # fmt: skip
    plot_channels(axes[0, 1], z_test, y_test, steps, "(b) fresh test sequence, weights frozen")
    axes[0, 0].set_xlabel("training step")
    axes[0, 1].set_xlabel("test step")
    ax = axes[1, 0]
    error_smooth = np.convolve(history.error, np.ones(smooth) / smooth, mode="same")
    ax.semilogy(np.maximum(history.error, 1e-8), color="0.8", lw=0.5, label="every step")
    ax.semilogy(error_smooth, color="C0", lw=1.5, label=f"mean over {smooth} steps")
    ax.set_ylim(1e-6, 10)
    ax.set_xlabel("training step")
    ax.set_ylabel(r"squared error $|z - y|^2 / n_{out}$")
    ax.set_title("(c) training error", fontsize="medium")
    ax.legend(fontsize="small", loc="upper right", ncols=2)
    ax = axes[1, 1]
    ax.plot(np.arange(1, len(history.readout_norm) + 1), history.readout_norm, color="C4")
    ax.set_xlabel("RLS update")
    ax.set_ylabel(r"$\|W_o\|_F$")
    ax.set_title("(d) size of the readout", fontsize="medium")
    return fig


def cube_edges(c: Census) -> np.ndarray:
    """Corner - edge saddle - corner, for every edge saddle that leads to two memories.

    Parameters
    ----------
    c : Census

    Returns
    -------
    ndarray, shape (n_edges, 3, N)
        For each edge saddle the states of its two memories with the saddle between them,
        ready to draw as a polyline.
    """
    pts = c.points
    edges = [
        pts.x[[c.connections[s][0], s, c.connections[s][1]]]
        for s in np.flatnonzero(pts.n_unstable == 1)
        if len(c.connections[s]) == 2
    ]
    return np.array(edges).reshape(-1, 3, pts.x.shape[1])


def plot_cube_views(
    c: Census,
    views: Sequence[tuple[Callable, str, Sequence[str]]],
    test_states,
    free_runs=None,
    *,
    free_label: str = "kicked from the centre",
) -> Figure:
    """The census's fixed points, the cube's edges and trajectories in 3-D views side by side.

    Parameters
    ----------
    c : Census
    views : sequence of (projection, title, axis labels)
        ``projection`` maps states ``(..., N)`` to ``(..., 3)`` (a PCA's ``transform``, an
        ESN's ``readout``); one 3-D panel per view.
    test_states : array_like, shape (T, N)
        A run of the network, drawn thin and grey.
    free_runs : array_like, shape (B, T, N), optional
        Further runs, drawn in colour with their starts marked.
    free_label : str
        Legend label of ``free_runs``.

    Returns
    -------
    Figure
    """
    if len(views) < 1:
        raise ValueError("views must hold at least one (projection, title, labels) view")
    edges = cube_edges(c)
    fig = plt.figure(figsize=(5.5 * len(views), 5.6), layout="constrained")
    for k, (project, title, labels) in enumerate(views):
        ax = fig.add_subplot(1, len(views), k + 1, projection="3d")
        for e in edges:
            ax.plot(*np.asarray(project(e)).T, color="0.6", lw=1)
        plot_trajectories(
            ax, test_states, projection=project, linewidth=0.6, alpha=0.35, mark_start=False
        )
        if free_runs is not None:
            plot_trajectories(ax, free_runs, projection=project, color="C4", linewidth=1.2)
        plot_fixed_points_by_index(ax, project(c.points.x), c.points.n_unstable, scale=0.8)
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_zlabel(labels[2])
        ax.set_title(title, fontsize="medium")
        ax.view_init(elev=20, azim=-55)
    runs = [Line2D([], [], color=TRAJECTORY_COLOR, lw=1, label="test run")]
    if free_runs is not None:
        runs.append(
            Line2D([], [], color="C4", lw=1.2, marker="o", ms=4, markevery=[0], label=free_label)
        )
    runs.append(Line2D([], [], color="0.6", lw=1, label="edges of the cube"))
    fig.legend(
        handles=runs + index_handles(), loc="outside lower center", ncols=7, fontsize="small"
    )
    return fig


def plot_census_over_training(evolution: Evolution, ax: Axes | None = None) -> Axes:
    """Stacked bars: the fixed points found at each snapshot, by number of unstable dimensions.

    Parameters
    ----------
    evolution : Evolution
        What :func:`rnnlab.flipflop.evolution.fixed_points_over_training` returned.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    if len(evolution) == 0:
        raise ValueError("evolution holds no snapshots")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
    counts = evolution.counts()
    labels = [str(u) for u in evolution.updates]
    bottom = np.zeros(len(counts))
    top = max(INDEX_STYLE)
    for k in INDEX_STYLE:
        heights = np.array(
            [sum(v for d, v in c.items() if (d >= k if k == top else d == k)) for c in counts],
            dtype=float,
        )
        ax.bar(
            labels, heights, bottom=bottom, color=INDEX_STYLE[k]["facecolors"], edgecolor="k",
            label=f"{k}{'+' if k == top else ''} unstable",
        )  # fmt: skip
        bottom += heights
    ideal = sum(evolution[0].ideal().values())
    ax.axhline(ideal, color="k", ls=":", lw=1)
    ax.text(0, ideal + 0.5, f"ideal cube: {ideal}", fontsize="small")
    ax.set_xlabel("RLS updates")
    ax.set_ylabel("fixed points found")
    ax.set_ylim(0, max(ideal, bottom.max()) + 4)
    ax.legend(fontsize="small", ncols=5, loc="upper left", bbox_to_anchor=(0, -0.25))
    ax.set_title("the census at snapshots of training")
    return ax


def plot_origin_spectra(networks: Sequence[ESN], names: Sequence[str]) -> Figure:
    """Eigenvalues of each trained closed loop's Jacobian at the origin, one panel each.

    Every panel also draws the disk of radius :math:`g` around :math:`-1` where the eigenvalues
    of the untrained reservoir's :math:`J(0) = -I + W_r` lie (circular law).

    Parameters
    ----------
    networks : sequence of ESN
    names : sequence of str
        One title per network.

    Returns
    -------
    Figure
    """
    if len(networks) == 0 or len(networks) != len(names):
        raise ValueError(
            f"networks and names must be non-empty and of one length, got {len(networks)} "
            f"and {len(names)}"
        )
    fig, axes = plt.subplots(
        1, len(networks), figsize=(5.5 * len(networks), 3.6), layout="constrained", squeeze=False
    )
    for ax, net, name in zip(axes[0], networks, names, strict=True):
        lam = net.closed_loop().eigenvalues(np.zeros(net.N))
        plot_spectrum(lam, ax=ax, radius=net.g, center=-1.0, s=5)
        ax.set_title(
            f"{name}: N = {net.N}, g = {net.g:g}; {int(_n_unstable(lam))} with Re > 0",
            fontsize="medium",
        )
        ax.set_xlim(-2.7, 1.2)
        ax.set_ylim(-1.7, 1.7)
    axes[0, 0].legend(loc="lower left", fontsize="x-small")
    fig.suptitle(
        "eigenvalues of the trained closed loop's Jacobian at the origin (unstable in red)"
    )
    return fig
