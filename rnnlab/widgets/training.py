"""An echo state network's training, replayed: the phase portrait at each readout snapshot."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from rnnlab.flipflop.evolution import Evolution, fixed_point_pca
from rnnlab.models.esn import ESN
from rnnlab.models.force import ForceHistory
from rnnlab.plotting.census_plots import (
    INDEX_STYLE,
    index_handles,
    plot_fixed_points_by_index,
    update_fixed_points_by_index,
)
from rnnlab.plotting.plots import TRAJECTORY_COLOR
from rnnlab.widgets._base import App

__all__ = ["TrainingApp"]


class TrainingApp(App):
    r"""Scrub through FORCE training and watch the fixed points of the closed loop form.

    One slider picks a readout snapshot :math:`W_o^{(k)}` of the training run (Jang Fig. 7).
    For that snapshot the app shows

    * left, in 3-D (drag to rotate under ``%matplotlib widget``): the fixed points of
      :math:`\dot x = -x + (W_r + W_{fb} W_o^{(k)})\tanh x`, styled by their number of
      unstable dimensions (:data:`INDEX_STYLE`), a test run of the network with that readout
      frozen, and, as grey rings, the stable points of the last snapshot (where the memories
      end up);
    * top right: that network's outputs against the targets on the test inputs;
    * bottom right: the training error and :math:`\|W_o\|_F` over the updates, with the
      snapshot marked.

    Everything is computed when the app is built (fixed points by
    :func:`rnnlab.flipflop.evolution.fixed_points_over_training`, runs by :meth:`ESN.run`), so moving
    the slider only moves artists (``_offsets3d``, ``set_data``, ``set_ydata``).

    Parameters
    ----------
    esn : ESN
        The trained network.
    history : ForceHistory
        Its training run.
    evolution : Evolution
        Fixed points at some of ``history``'s snapshots.
    projection : PCA or callable, optional
        Maps states ``(..., N)`` to (at least) three coordinates. Default: Jang's correlation
        PCA on the fixed points of the last snapshot (:func:`rnnlab.flipflop.evolution.fixed_point_pca`).
    inputs : array_like, shape (T, n_in)
        Test inputs, run under every snapshot's readout (from ``esn.x0``).
    targets : array_like, shape (T, n_out), optional
        Drawn beside the outputs.
    labels : (str, str, str), optional
        Axis labels of the 3-D view (default ``PC1``-``PC3`` for a PCA, else ``z1``-``z3``).
    snapshot : int
        The snapshot shown first (an index into ``evolution``; negative counts from the end).
        It is also what the static figure shows where there is no live kernel.

    Attributes
    ----------
    fig, ax, ax_out, ax_err : Figure and Axes
        The figure, the 3-D portrait, the outputs and the training curves.
    snapshot_slider : ipywidgets.IntSlider
        Index into ``evolution``.
    table : ipywidgets.HTML
        The census at the current snapshot against the ideal.
    fixed_points : dict of int to PathCollection
        The scatters of :func:`plot_fixed_points_by_index`.
    points : list of ndarray, shape (n_points, 3)
        Projected fixed points per snapshot; ``n_unstable`` their unstable dimensions.
    trajectories : list of ndarray, shape (T, 3)
        Projected test run per snapshot.
    outputs : ndarray, shape (n_snapshots, T, n_out)
        Test outputs per snapshot.
    """

    def __init__(
        self,
        esn: ESN,
        history: ForceHistory,
        evolution: Evolution,
        projection=None,
        *,
        inputs,
        targets=None,
        labels: tuple[str, str, str] | None = None,
        snapshot: int = 0,
    ):
        if not isinstance(esn, ESN):
            raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
        if not isinstance(history, ForceHistory):
            raise TypeError(f"history must be a ForceHistory, got {type(history).__name__}")
        if not isinstance(evolution, Evolution) or len(evolution) == 0:
            raise TypeError("evolution must be a non-empty Evolution (fixed_points_over_training)")
        n = len(evolution)
        if isinstance(snapshot, bool) or not isinstance(snapshot, int | np.integer):
            raise TypeError(f"snapshot must be an integer index, got {snapshot!r}")
        if not -n <= snapshot < n:
            raise ValueError(f"snapshot must be an index into the {n} snapshots, got {snapshot}")
        self.esn, self.history, self.evolution = esn, history, evolution
        if projection is None:
            projection = fixed_point_pca(evolution[-1])
        self.projection = projection
        is_pca = hasattr(projection, "transform")
        project = projection.transform if is_pca else projection
        if labels is None:
            labels = ("PC1", "PC2", "PC3") if is_pca else ("z1", "z2", "z3")
        self._hold = False
        self._image = None
        self._precompute(project, inputs, targets)

        self.fig = self._new_figure((10.5, 5.4))
        gs = self.fig.add_gridspec(2, 2, width_ratios=[1.2, 1], height_ratios=[1.3, 1])
        self.ax = self.fig.add_subplot(gs[:, 0], projection="3d")
        self.ax_out = self.fig.add_subplot(gs[0, 1])
        self.ax_err = self.fig.add_subplot(gs[1, 1])
        self._build_portrait(labels)
        self._build_outputs()
        self._build_training_curves(history)

        first = int(snapshot) % n
        self.table = widgets.HTML()
        self.snapshot_slider = widgets.IntSlider(
            value=first, min=0, max=n - 1, description="snapshot", continuous_update=True
        )
        self.snapshot_label = widgets.Label()
        self.snapshot_slider.observe(self._on_snapshot, names="value")
        self._show(first)

    # -- building ------------------------------------------------------------------------
    def _precompute(self, project, inputs, targets) -> None:
        """Everything the slider shows: runs, outputs and fixed points of every snapshot."""
        runs = [self.esn.run(inputs, W_o=W_o) for W_o in self.evolution.readouts]  # checks inputs
        self.trajectories = [self._three(project(x)) for x, _ in runs]
        self.outputs = np.stack([z for _, z in runs])
        self.points = [
            self._three(project(c.points.x)) if c.points.n_points else np.empty((0, 3))
            for c in self.evolution
        ]
        self.n_unstable = [np.asarray(c.points.n_unstable, dtype=int) for c in self.evolution]
        T, n_out = self.outputs.shape[1:]
        self.targets = None
        if targets is not None:
            self.targets = np.asarray(targets, dtype=float)
            if self.targets.shape != (T, n_out):
                raise ValueError(f"targets must have shape {(T, n_out)}, got {self.targets.shape}")

    def _build_portrait(self, labels) -> None:
        """The 3-D panel: empty artists for the test run and the fixed points, the final
        memories as rings, and limits that hold every snapshot."""
        (self.trajectory_line,) = self.ax.plot(
            [], [], [], color=TRAJECTORY_COLOR, lw=0.7, alpha=0.6, zorder=1
        )
        ref = self.points[-1][self.n_unstable[-1] == 0]
        self.memories = self.ax.scatter(
            *ref.T, s=150, facecolors="none", edgecolors="0.55", linewidths=1.0, depthshade=False
        )
        self.fixed_points = plot_fixed_points_by_index(
            self.ax, np.empty((0, 3)), np.empty(0, dtype=int), scale=0.8
        )
        every = np.concatenate([*self.points, *self.trajectories])
        lo, hi = every.min(axis=0), every.max(axis=0)
        pad = 0.05 * (hi - lo) + 1e-9
        self.ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        self.ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        self.ax.set_zlim(lo[2] - pad[2], hi[2] + pad[2])
        self.ax.set_xlabel(labels[0])
        self.ax.set_ylabel(labels[1])
        self.ax.set_zlabel(labels[2])
        self.ax.legend(
            handles=[
                *index_handles((0, 1, 2, 3, 4)),
                Line2D([], [], color=TRAJECTORY_COLOR, lw=1, label="test run"),
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="o",
                    ms=11,
                    mfc="none",
                    mec="0.55",
                    label="final memories",
                ),
            ],
            loc="upper left",
            fontsize="x-small",
        )
        self.title = self.ax.set_title("", fontsize="medium")

    def _build_outputs(self) -> None:
        """Outputs against targets, one band per channel (offset by 3), as in chapter 03."""
        T, n_out = self.outputs.shape[1:]
        t = np.arange(T)
        self.offsets = 3.0 * np.arange(n_out)[::-1]
        self.output_lines = []
        for j in range(n_out):
            if self.targets is not None:
                self.ax_out.plot(
                    t, self.targets[:, j] + self.offsets[j], color="0.3", lw=1, ls="--"
                )
            (line,) = self.ax_out.plot(t, np.zeros(T), color=f"C{j}", lw=1)
            self.output_lines.append(line)
        self.ax_out.set_yticks(self.offsets, [f"$z_{j + 1}$" for j in range(n_out)])
        self.ax_out.set_ylim(-2.0, self.offsets[0] + 2.0)
        self.ax_out.set_xlim(0, T)
        self.ax_out.set_xlabel("test step (weights frozen)")
        self.ax_out.set_title("outputs (colour) and targets (dashed)", fontsize="medium")

    def _build_training_curves(self, history: ForceHistory) -> None:
        """Training error and readout norm over the updates, with the snapshot's marker."""
        err = np.asarray(history.error)
        window = min(1000, len(err))
        smooth = np.convolve(err, np.ones(window) / window, mode="same")[history.update_steps]
        n_up = np.arange(1, len(history.update_steps) + 1)
        # ~1500 points per curve: enough for the eye, and every redraw renders them.
        keep = slice(None, None, max(1, len(n_up) // 1500))
        n_up, smooth, norm = n_up[keep], smooth[keep], np.asarray(history.readout_norm)[keep]
        self.ax_err.semilogy(n_up, np.maximum(smooth, 1e-12), color="0.35", lw=1)
        self.ax_err.set_xlabel("RLS updates")
        self.ax_err.set_ylabel(f"training error\n(mean over {window} steps)", color="0.35")
        self.ax_norm = self.ax_err.twinx()
        self.ax_norm.plot(n_up, norm, color="#e377c2", lw=1.2)
        self.ax_norm.set_ylabel(r"$\|W_o\|_F$", color="#e377c2")
        self.snapshot_line = self.ax_err.axvline(0, color="k", lw=1.2)

    @staticmethod
    def _three(P) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        if P.shape[-1] < 3:
            raise ValueError(f"the projection must give at least 3 coordinates, got {P.shape[-1]}")
        return P[..., :3]

    # -- layout --------------------------------------------------------------------------
    def _controls(self) -> list:
        return [widgets.HBox([self.snapshot_slider, self.snapshot_label])]

    # -- actions -------------------------------------------------------------------------
    def update(self, snapshot: int) -> None:
        """Show snapshot ``snapshot`` (an index into the evolution), as the slider would."""
        self._set_slider(self.snapshot_slider, snapshot, "snapshot")

    def _on_snapshot(self, change) -> None:
        self._show(int(change["new"]))
        if not self._hold:
            self._draw()

    def _show(self, k: int) -> None:
        update_fixed_points_by_index(self.fixed_points, self.points[k], self.n_unstable[k])
        path = self.trajectories[k]
        self.trajectory_line.set_data(path[:, 0], path[:, 1])
        self.trajectory_line.set_3d_properties(path[:, 2])
        for j, line in enumerate(self.output_lines):
            line.set_ydata(self.outputs[k, :, j] + self.offsets[j])
        u = int(self.evolution.updates[k])
        self.snapshot_line.set_xdata([u, u])
        self.title.set_text(self.caption(k))
        self.snapshot_label.value = f"after {u} RLS updates"
        self.table.value = self.table_html(k)

    def caption(self, k: int) -> str:
        """One line for snapshot ``k``: updates, fixed points, memories."""
        u = int(self.evolution.updates[k])
        n, n_stable = len(self.points[k]), int(np.sum(self.n_unstable[k] == 0))
        return f"after {u} updates: {n} fixed point{'' if n == 1 else 's'}, {n_stable} stable"

    def table_html(self, k: int) -> str:
        """The census of snapshot ``k`` as HTML: points by unstable dimensions against the ideal."""
        c = self.evolution[k]
        counts, ideal = c.counts(), c.ideal()
        rows = []
        for dims in sorted(set(counts) | set(ideal)):
            st = INDEX_STYLE[min(dims, max(INDEX_STYLE))]
            swatch = (
                f'<span style="display:inline-block;width:0.8em;height:0.8em;'
                f'background:{st["facecolors"]};border:1px solid {st["edgecolors"]}"></span>'
            )
            rows.append(
                f"<tr><td>{swatch} {dims}</td><td>{counts.get(dims, 0)}</td>"
                f"<td>{ideal.get(dims, 0)}</td></tr>"
            )
        head = f"<p>{html.escape(self.caption(k))} ({html.escape(c.points.tolerances)}).</p>"
        return (
            f"{head}<table><thead><tr><th>unstable dimensions</th><th>found</th>"
            f"<th>ideal {c.n_bits}-bit cube</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
