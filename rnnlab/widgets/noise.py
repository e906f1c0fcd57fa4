r"""Noise in the recurrent weights, live: an :math:`\eta` slider redraws outputs and trajectory."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from rnnlab._internal.validation import as_matrix, positive_float, positive_int
from rnnlab.flipflop.noise import noise_matrices, run_perturbed, scores
from rnnlab.models.esn import ESN
from rnnlab.plotting.plots import TRAJECTORY_COLOR
from rnnlab.widgets._base import App

__all__ = ["NoiseApp"]


class NoiseApp(App):
    r"""Perturb a trained network, :math:`W_r \to W_r + \eta Z`, and watch it forget.

    The draw :math:`Z` (standard normal, fixed by ``seed`` and the ``draw`` slider) is scaled
    by :math:`\eta`, so moving the :math:`\eta` slider moves continuously from the trained
    network (:math:`\eta = 10^{-4}`) to one whose reservoir is swamped by noise. Every move
    runs the perturbed network with frozen weights on the test inputs
    (:func:`rnnlab.flipflop.noise.run_perturbed`) and updates, in place,

    * left, in 3-D: the trajectory of that run in the given projection, with the unperturbed
      network's memories as grey rings;
    * right: its outputs against the targets;
    * the table: :math:`\eta`, :math:`\eta\sqrt N` (the spectral radius of the
      perturbation), MSE, sign accuracy and settled accuracy of this draw.

    A run of ``T`` steps of an ``N``-unit network takes ~0.1-0.5 s at N = 500, so the
    sliders update on release.

    Parameters
    ----------
    esn : ESN
        A trained network.
    inputs : array_like, shape (T, n_in)
    targets : array_like, shape (T, n_out)
    projection : PCA or callable
        Maps states ``(..., N)`` to at least three coordinates.
    memories : array_like, shape (K, N), optional
        Drawn as rings (e.g. :func:`rnnlab.flipflop.memories.find_memories`' ``x``).
    eta : float
        First noise level, between 1e-4 and 1.
    n_draws : int
        Draws the ``draw`` slider chooses from.
    seed : int
        For the draws.
    labels : (str, str, str)
        Axis labels of the 3-D view.

    Attributes
    ----------
    fig, ax, ax_out : Figure and Axes
    eta_slider : ipywidgets.FloatLogSlider
    draw_slider : ipywidgets.IntSlider
    table : ipywidgets.HTML
    trajectory_line : Line3D
    output_lines : list of Line2D
    scores : dict
        MSE, accuracy and settled accuracy of the current run.
    """

    def __init__(
        self,
        esn: ESN,
        inputs,
        targets,
        projection,
        *,
        memories=None,
        eta: float = 1e-3,
        n_draws: int = 5,
        seed: int = 0,
        labels: tuple[str, str, str] = ("PC1", "PC2", "PC3"),
    ):
        if not isinstance(esn, ESN):
            raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
        if not 1e-4 <= positive_float(eta, "eta") <= 1.0:
            raise ValueError(f"eta must be between 1e-4 and 1 (the slider's range), got {eta}")
        self.esn = esn
        self.inputs = as_matrix(inputs, "inputs", shape=(None, esn.n_in))
        self.targets = as_matrix(targets, "targets", shape=(len(self.inputs), esn.n_out))
        self.project = projection.transform if hasattr(projection, "transform") else projection
        if not callable(self.project):
            raise TypeError("projection must be a fitted PCA or a callable on states (..., N)")
        self.Z = noise_matrices(esn.N, positive_int(n_draws, "n_draws"), seed=seed)
        self._image = None
        T, n_out = self.targets.shape

        self.fig = self._new_figure((11, 4.8))
        # 3-D axes do not reserve room for their z label: keep the panels apart.
        self.fig.get_layout_engine().set(wspace=0.12)
        gs = self.fig.add_gridspec(1, 2, width_ratios=[1, 1.2])
        self.ax = self.fig.add_subplot(gs[0, 0], projection="3d")
        self.ax_out = self.fig.add_subplot(gs[0, 1])
        self._build_portrait(memories, labels)
        self._build_outputs(T, n_out)

        self.eta_slider = widgets.FloatLogSlider(
            value=eta,
            base=10,
            min=-4,
            max=0,
            step=0.1,
            description="η",
            continuous_update=False,
            readout_format=".1e",
        )
        self.draw_slider = widgets.IntSlider(
            value=0, min=0, max=len(self.Z) - 1, description="draw", continuous_update=False
        )
        self.table = widgets.HTML()
        self.eta_slider.observe(self._on_change, names="value")
        self.draw_slider.observe(self._on_change, names="value")
        self._show()

    # -- building --------------------------------------------------------------------------
    def _build_portrait(self, memories, labels) -> None:
        """The 3-D panel: the unperturbed run, the memories as rings, and limits from both,
        so that what noise does is seen against them."""
        _, clean = run_perturbed(self.esn, self.inputs, [0.0], self.Z[:1], project=self._three)
        clean = clean[0, 0]
        (self.trajectory_line,) = self.ax.plot(*clean.T, color=TRAJECTORY_COLOR, lw=0.7, alpha=0.7)
        handles = [Line2D([], [], color=TRAJECTORY_COLOR, lw=1, label="perturbed run")]
        every = clean
        if memories is not None:
            M = self._three(as_matrix(memories, "memories", shape=(None, self.esn.N)))
            self.ax.scatter(
                *M.T, s=120, facecolors="none", edgecolors="0.4", linewidths=1.2, depthshade=False
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="o",
                    ms=10,
                    mfc="none",
                    mec="0.4",
                    label="memories (no noise)",
                )
            )
            every = np.vstack([clean, M])
        lo, hi = every.min(axis=0), every.max(axis=0)
        pad = 0.15 * (hi - lo) + 1e-9
        self.ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        self.ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        self.ax.set_zlim(lo[2] - pad[2], hi[2] + pad[2])
        for set_label, text in zip(
            (self.ax.set_xlabel, self.ax.set_ylabel, self.ax.set_zlabel), labels, strict=True
        ):
            set_label(text)
        self.ax.legend(handles=handles, loc="upper left", fontsize="x-small")

    def _build_outputs(self, T: int, n_out: int) -> None:
        """The right panel: targets (dashed) and one output line per channel, offset by 3."""
        t = np.arange(T)
        self.offsets = 3.0 * np.arange(n_out)[::-1]
        self.output_lines = []
        for j in range(n_out):
            self.ax_out.plot(t, self.targets[:, j] + self.offsets[j], color="0.3", lw=1, ls="--")
            (line,) = self.ax_out.plot(t, np.zeros(T), color=f"C{j}", lw=1)
            self.output_lines.append(line)
        self.ax_out.set_yticks(self.offsets, [f"$z_{j + 1}$" for j in range(n_out)])
        self.ax_out.set_ylim(-2.2, self.offsets[0] + 2.2)
        self.ax_out.set_xlim(0, T)
        self.ax_out.set_xlabel("test step (weights frozen)")
        self.title = self.ax_out.set_title("", fontsize="medium")

    def _three(self, X) -> np.ndarray:
        P = np.asarray(self.project(X), dtype=float)
        if P.shape[-1] < 3:
            raise ValueError(f"the projection must give at least 3 coordinates, got {P.shape[-1]}")
        return P[..., :3]

    # -- layout ----------------------------------------------------------------------------
    def _controls(self) -> list:
        return [widgets.HBox([self.eta_slider, self.draw_slider])]

    def update(self, eta: float | None = None, draw: int | None = None) -> None:
        """Set :math:`\\eta` and/or the draw, as the sliders would."""
        if eta is not None:
            if not 1e-4 <= eta <= 1.0:
                raise ValueError(f"eta must be between 1e-4 and 1 (the slider's range), got {eta}")
            self.eta_slider.value = eta
        if draw is not None:
            self._set_slider(self.draw_slider, draw, "draw")

    def _on_change(self, _change) -> None:
        self._show()
        self._draw()

    def _show(self) -> None:
        eta, d = float(self.eta_slider.value), int(self.draw_slider.value)
        out, path = run_perturbed(
            self.esn, self.inputs, [eta], self.Z[d : d + 1], project=self._three
        )
        z, path = out[0, 0], path[0, 0]
        self.trajectory_line.set_data(path[:, 0], path[:, 1])
        self.trajectory_line.set_3d_properties(path[:, 2])
        for j, line in enumerate(self.output_lines):
            line.set_ydata(z[:, j] + self.offsets[j])
        self.scores = {k: float(v) for k, v in scores(z, self.inputs, self.targets, 30).items()}
        s = self.scores
        self.title.set_text(
            f"η = {eta:.1e}, draw {d}: accuracy {s['accuracy']:.2f}, "
            f"settled {s['settled_accuracy']:.2f}"
        )
        radius = eta * np.sqrt(self.esn.N)
        self.table.value = (
            "<table><thead><tr><th>η</th><th>η√N (radius of the noise)</th><th>MSE</th>"
            "<th>sign accuracy</th><th>settled accuracy</th></tr></thead><tbody><tr>"
            f"<td>{eta:.2e}</td><td>{radius:.3f}</td><td>{s['mse']:.3f}</td>"
            f"<td>{s['accuracy']:.3f}</td><td>{s['settled_accuracy']:.3f}</td></tr></tbody>"
            f"</table><p>{html.escape(f'draw {d} of {len(self.Z)}, {len(self.inputs)} test steps')}</p>"
        )
