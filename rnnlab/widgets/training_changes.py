r"""Scrub through gradient training of a leaky-ReLU network: eigenvalues, ΔW spectrum, latent trajectories.

:func:`rnnlab.analysis.training_frames.training_frames` summarises every saved snapshot :math:`W^{(k)}` of a training run
once (eigenvalues of :math:`W^{(k)}`, singular values of :math:`W^{(k)} - W^{(0)}`, the
noise-free trajectories of a few test conditions projected onto the principal components
of the *trained* network's trajectories, and the loss); :class:`TrainingChangesApp` shows
one snapshot at a time and a slider moves between them by updating artists in place.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from rnnlab.widgets._base import App

__all__ = ["TrainingChangesApp"]


class TrainingChangesApp(App):
    r"""One slider over training snapshots; three panels follow it.

    * left: eigenvalues of :math:`W^{(k)}` in the complex plane, with the untrained ones in
      grey and the unit circle;
    * middle: the singular values of :math:`\Delta W^{(k)} = W^{(k)} - W^{(0)}` (log scale,
      the first 30), against the final change in grey;
    * right: noise-free trajectories of the test conditions in the plane of the trained
      network's first two principal components, coloured by target.

    Parameters
    ----------
    frames : dict
        From :func:`rnnlab.analysis.training_frames.training_frames` (or ``load_trained(task)["frames"]``).
    snapshot : int
        Snapshot shown first (and in the static figure); negative counts from the end.
    title : str
        Shown above the panels.
    """

    def __init__(self, frames: dict, *, snapshot: int = -1, title: str = ""):
        need = {"step", "eig", "sv", "latent", "loss", "target"}
        if not need <= set(frames):
            raise ValueError(
                f"frames must hold {sorted(need)}, missing {sorted(need - set(frames))}"
            )
        self.frames = frames
        n = len(frames["step"])
        k = snapshot % n if -n <= snapshot < n else None
        if k is None:
            raise ValueError(f"snapshot must be between {-n} and {n - 1}, got {snapshot}")
        self.fig = self._new_figure((10.5, 3.6))
        self.ax_eig, self.ax_sv, self.ax_lat = self.fig.subplots(1, 3)
        if title:
            self.fig.suptitle(title)
        eig, sv, lat = frames["eig"], frames["sv"], frames["latent"]

        ax = self.ax_eig
        th = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(th), np.sin(th), color="0.6", lw=0.8)
        ax.scatter(eig[0].real, eig[0].imag, s=8, color="0.75", label="untrained")
        self._eig = ax.scatter(eig[k].real, eig[k].imag, s=8, color="C3", label="at this step")
        lim = 1.05 * max(1.0, np.max(np.abs(eig)))
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="Re λ", ylabel="Im λ")
        ax.set_title("eigenvalues of W")
        ax.legend(loc="lower left", fontsize=7)

        ax = self.ax_sv
        n_sv = min(30, sv.shape[1])
        idx = np.arange(1, n_sv + 1)
        ax.semilogy(
            idx, np.maximum(sv[-1, :n_sv], 1e-12), "o", color="0.75", ms=3, label="end of training"
        )
        (self._sv,) = ax.semilogy(
            idx, np.maximum(sv[k, :n_sv], 1e-12), "o-", color="C0", ms=3, label="at this step"
        )
        top = np.max(sv)
        ax.set_ylim(max(top * 1e-4, 1e-6), top * 2 if top > 0 else 1)
        ax.set(xlabel="index i", ylabel="singular value s_i of ΔW")
        ax.set_title("spectrum of the change ΔW")
        ax.legend(loc="upper right", fontsize=7)

        ax = self.ax_lat
        targets = frames["target"]
        levels = np.unique(targets)
        colors = {t: f"C{i + 1}" for i, t in enumerate(levels)}
        self._lines = [
            ax.plot(*lat[k, b, :, :2].T, color=colors[targets[b]], lw=1)[0]
            for b in range(lat.shape[1])
        ]
        for t in levels:
            ax.plot([], [], color=colors[t], label=f"target {t:g}")
        span = lat[..., :2]
        lo, hi = span.min(axis=(0, 1, 2)), span.max(axis=(0, 1, 2))
        pad = 0.05 * (hi - lo + 1e-12)
        ax.set(xlim=(lo[0] - pad[0], hi[0] + pad[0]), ylim=(lo[1] - pad[1], hi[1] + pad[1]))
        ax.set(xlabel="PC1 (trained)", ylabel="PC2 (trained)")
        ax.set_title("trajectories from rest")
        ax.legend(loc="best", fontsize=7)

        self.snapshot_slider = widgets.IntSlider(
            value=k, min=0, max=n - 1, step=1, description="snapshot", continuous_update=True
        )
        self.table = widgets.HTML()
        self.snapshot_slider.observe(lambda ch: self.update(ch["new"]), names="value")
        self.update(k)

    def _controls(self) -> list:
        return [self.snapshot_slider]

    def update(self, snapshot: int) -> None:
        """Show snapshot ``snapshot`` (an index into the frames)."""
        f = self.frames
        n = len(f["step"])
        if not 0 <= snapshot < n:
            raise ValueError(f"snapshot must be between 0 and {n - 1}, got {snapshot}")
        if self.snapshot_slider.value != snapshot:
            self.snapshot_slider.value = snapshot  # the observer calls back here
            return
        k = snapshot
        e = f["eig"][k]
        self._eig.set_offsets(np.column_stack([e.real, e.imag]))
        self._sv.set_ydata(np.maximum(f["sv"][k, : len(self._sv.get_xdata())], 1e-12))
        for b, line in enumerate(self._lines):
            line.set_data(*f["latent"][k, b, :, :2].T)
        self.table.value = (
            f"<p>step {int(f['step'][k])}: loss {f['loss'][k]:.2e}, "
            f"max |λ| {np.max(np.abs(e)):.3f}, ‖ΔW‖<sub>F</sub> {np.sqrt(np.sum(f['sv'][k] ** 2)):.3f}</p>"
        )
        self._draw()
