"""Delayed flip-flop networks side by side: pick a delay, scrub time around a memory switch."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from rnnlab._internal.validation import positive_int
from rnnlab.analysis.spectra import spectrum_summary
from rnnlab.flipflop.triggered import TriggeredAverage, triggered_average
from rnnlab.models.bptt import TanhRNN, bit_accuracy
from rnnlab.plotting.complex_plane import plot_spectrum, update_spectrum
from rnnlab.tasks.flipflop import FlipFlopTask
from rnnlab.widgets._base import App

__all__ = ["DelayedFlipFlopApp"]


class DelayedFlipFlopApp(App):
    r"""How a delay reshapes a trained flip-flop network, one switch at a time.

    For every network (one per delay :math:`\Delta`) the app runs a fresh test stream,
    averages the hidden state around every switch ``before`` → ``after``
    (:func:`rnnlab.flipflop.triggered.triggered_average`) and shows

    * top left: that average in the first two principal components of the average, with a
      dot at the lag :math:`\tau` picked by the time slider;
    * top right: the average outputs against :math:`\tau`; the switching bit must wait
      :math:`\Delta` steps after the pulse (dashed: the target);
    * bottom left: the first six principal components of the average against :math:`\tau`
      (phase-shifted oscillating pairs appear with the delay);
    * bottom right: the eigenvalues of :math:`W` and the unit circle.

    Everything is computed when the app is built, so the sliders only move artists.

    Parameters
    ----------
    networks : dict of int to TanhRNN
        Trained networks by delay.
    n_steps : int
        Length of each test stream.
    seed : int
        Test streams (the same for every delay).
    pulse_rate, pulse_length : float, int, optional
        The task the networks were trained on (default: from each network's ``info``).
    pre, post : int
        Lags shown before and after the pulse.
    quiet : int
        Only switches with no other pulse in the ``quiet`` steps before and ``post`` after
        are averaged (:func:`rnnlab.flipflop.triggered.triggered_average`); longer than the largest
        delay, so the outputs have settled on the old bits when the pulse comes.
    before, after : tuple of ±1
        The switch.
    delay : int, optional
        Delay shown first (default the largest); also what the static figure shows.
    """

    def __init__(
        self,
        networks: dict[int, TanhRNN],
        *,
        n_steps: int = 60_000,
        seed: int = 1,
        pulse_rate: float | None = None,
        pulse_length: int | None = None,
        pre: int = 4,
        post: int = 20,
        quiet: int = 12,
        before=(-1, -1, -1),
        after=(-1, -1, 1),
        delay: int | None = None,
    ):
        if not isinstance(networks, dict) or not networks:
            raise TypeError("networks must be a non-empty dict {delay: TanhRNN}")
        for d, net in networks.items():
            if not isinstance(net, TanhRNN):
                raise TypeError(f"networks[{d}] must be a TanhRNN, got {type(net).__name__}")
        self.delays = sorted(networks)
        if delay is None:
            delay = self.delays[-1]
        if delay not in networks:
            raise ValueError(f"delay must be one of {self.delays}, got {delay}")
        positive_int(n_steps, "n_steps")
        self.networks = networks
        self.after = np.asarray(after, dtype=float)
        self._hold = False
        self._image = None
        self._precompute(n_steps, seed, pulse_rate, pulse_length, pre, post, quiet, before, after)
        lags = self.averages[self.delays[0]].lags

        self.fig = self._new_figure((10.5, 7.0))
        gs = self.fig.add_gridspec(2, 2)
        self.ax_pc = self.fig.add_subplot(gs[0, 0])
        self.ax_out = self.fig.add_subplot(gs[0, 1])
        self.ax_modes = self.fig.add_subplot(gs[1, 0])
        self.ax_spec = self.fig.add_subplot(gs[1, 1])
        self._build_path_panel(post)
        self._build_output_panel(lags)
        self._build_mode_panel(lags)
        self.spectrum = plot_spectrum(
            self.spectra[delay]["eigenvalues"], discrete=True, ax=self.ax_spec, s=10
        )
        self.ax_spec.set_xlim(-1.6, 1.6)
        self.ax_spec.set_ylim(-1.6, 1.6)
        self.title = self.fig.suptitle("")

        self.table = widgets.HTML()
        self.delay_slider = widgets.SelectionSlider(
            options=self.delays, value=delay, description="delay Δ"
        )
        self.lag_slider = widgets.IntSlider(
            value=0, min=int(lags[0]), max=int(lags[-1]), description="lag τ"
        )
        self.delay_slider.observe(self._on_change, names="value")
        self.lag_slider.observe(self._on_change, names="value")
        self._show_delay(delay)
        self._show_lag(0)

    # -- building ----------------------------------------------------------------------------
    def _precompute(
        self, n_steps, seed, pulse_rate, pulse_length, pre, post, quiet, before, after
    ) -> None:
        """Every view: for each delay, a test stream, its switch average and W's spectrum."""
        self.averages: dict[int, TriggeredAverage] = {}
        self.accuracy: dict[int, float] = {}
        self.spectra: dict[int, dict] = {}
        for d in self.delays:
            info = self.networks[d].info
            rate = info.get("pulse_rate") if pulse_rate is None else pulse_rate
            length = info.get("pulse_length") if pulse_length is None else pulse_length
            if rate is None or length is None:
                raise ValueError(
                    f"networks[{d}].info has no pulse_rate/pulse_length: give them as arguments"
                )
            task = FlipFlopTask(3, float(rate), int(length), d, pulse_at_start=True)
            u, y = task.generate(n_steps, seed=seed)
            S, Y = self.networks[d].run(u)
            self.accuracy[d] = bit_accuracy(Y, y)
            self.averages[d] = triggered_average(
                S, Y, u, before=before, after=after, pre=pre, post=post, quiet=quiet, n_components=6
            )
            self.spectra[d] = spectrum_summary(self.networks[d].W)

    def _build_path_panel(self, post: int) -> None:
        """Top left: the average path in its first two PCs, with start, end and now."""
        (self.path_line,) = self.ax_pc.plot([], [], color="0.5", lw=1.2, marker=".", ms=4)
        (self.start_dot,) = self.ax_pc.plot(
            [], [], "s", color="#1f77b4", ms=7, label="before pulse"
        )
        (self.end_dot,) = self.ax_pc.plot([], [], "D", color="#2ca02c", ms=7, label=f"τ = {post}")
        (self.now_dot,) = self.ax_pc.plot([], [], "o", color="#d62728", ms=10, label="now (τ)")
        self.ax_pc.set_xlabel("PC1 of the average")
        self.ax_pc.set_ylabel("PC2 of the average")
        self.ax_pc.legend(loc="best", fontsize="x-small")

    def _build_output_panel(self, lags: np.ndarray) -> None:
        """Top right: the average outputs and the target of the switching bit against lag."""
        self.out_lines = [
            self.ax_out.plot(
                lags, np.zeros(len(lags)), color=f"C{k}", lw=1.5, label=f"$Y_{k + 1}$"
            )[0]
            for k in range(3)
        ]
        (self.target_line,) = self.ax_out.plot(
            [], [], color="k", ls="--", lw=1, label="target, bit 3"
        )
        self.out_now = self.ax_out.axvline(0, color="#d62728", lw=1)
        self.ax_out.axvline(0, color="0.6", lw=0.8, ls=":")
        self.ax_out.set_ylim(-1.05, 1.05)
        self.ax_out.set_xlim(lags[0], lags[-1])
        self.ax_out.set_xlabel("lag τ after the pulse (steps)")
        self.ax_out.set_ylabel("average output")
        self.ax_out.legend(loc="center right", fontsize="x-small")

    def _build_mode_panel(self, lags: np.ndarray) -> None:
        """Bottom left: the first six PCs of the average against lag, one band each."""
        self.mode_lines = [
            self.ax_modes.plot(lags, np.zeros(len(lags)), color=f"C{k}", lw=1.2)[0]
            for k in range(6)
        ]
        self.offsets = -2.5 * np.arange(6)
        self.ax_modes.set_yticks(self.offsets, [f"PC{k + 1}" for k in range(6)])
        self.ax_modes.set_ylim(self.offsets[-1] - 1.5, 1.5)
        self.ax_modes.set_xlim(lags[0], lags[-1])
        self.modes_now = self.ax_modes.axvline(0, color="#d62728", lw=1)
        self.ax_modes.set_xlabel("lag τ (each PC scaled to its largest |value|)")

    # -- layout ------------------------------------------------------------------------------
    def _controls(self) -> list:
        return [widgets.HBox([self.delay_slider, self.lag_slider])]

    # -- actions -----------------------------------------------------------------------------
    def update(self, *, delay: int | None = None, lag: int | None = None) -> None:
        """Show ``delay`` and/or ``lag``, as the sliders would."""
        self._hold = True
        try:
            if delay is not None:
                if delay not in self.delays:
                    raise ValueError(f"delay must be one of {self.delays}, got {delay}")
                self.delay_slider.value = delay
            if lag is not None:
                self._set_slider(self.lag_slider, lag, "lag")
        finally:
            self._hold = False
        self._draw()

    def _on_change(self, change) -> None:
        if change["owner"] is self.delay_slider:
            self._show_delay(int(change["new"]))
        self._show_lag(int(self.lag_slider.value))
        if not self._hold:
            self._draw()

    def _show_delay(self, d: int) -> None:
        avg = self.averages[d]
        P = avg.projection
        self.path_line.set_data(P[:, 0], P[:, 1])
        self.start_dot.set_data([P[0, 0]], [P[0, 1]])
        self.end_dot.set_data([P[-1, 0]], [P[-1, 1]])
        pad = 0.1 * (np.ptp(P[:, :2], axis=0) + 1e-9)
        self.ax_pc.set_xlim(P[:, 0].min() - pad[0], P[:, 0].max() + pad[0])
        self.ax_pc.set_ylim(P[:, 1].min() - pad[1], P[:, 1].max() + pad[1])
        for k, line in enumerate(self.out_lines):
            line.set_ydata(avg.outputs[:, k])
        scale = self.networks[d].target_scale
        self.target_line.set_data(avg.lags, np.where(avg.lags < d, -scale, scale) * self.after[2])
        for k, line in enumerate(self.mode_lines):
            if k < P.shape[1]:
                y = P[:, k] / (np.max(np.abs(P[:, k])) + 1e-12)
                line.set_ydata(y + self.offsets[k])
            line.set_visible(k < P.shape[1])
        update_spectrum(self.spectrum, self.spectra[d]["eigenvalues"])
        self.ax_spec.set_xlim(-1.6, 1.6)
        self.ax_spec.set_ylim(-1.6, 1.6)
        self.table.value = self.table_html(d)

    def _show_lag(self, lag: int) -> None:
        d = self.delay_slider.value
        avg = self.averages[d]
        i = int(np.searchsorted(avg.lags, lag))
        self.now_dot.set_data([avg.projection[i, 0]], [avg.projection[i, 1]])
        self.out_now.set_xdata([lag, lag])
        self.modes_now.set_xdata([lag, lag])
        self.title.set_text(self.caption(d, lag))

    def caption(self, d: int, lag: int) -> str:
        """One line: delay, lag, events averaged."""
        return (
            f"delay Δ = {d}: average over {self.averages[d].n_events} switches "
            f"(−1,−1,−1) → (−1,−1,+1), τ = {lag} steps after the pulse"
        )

    def table_html(self, d: int) -> str:
        """Accuracy and the eigenvalues outside the unit circle for delay ``d``."""
        sp = self.spectra[d]
        phases = ", ".join(f"{p:.0f}°" for p in sp["phases_deg"]) or "none"
        rows = [
            ("bit accuracy on the test stream", f"{self.accuracy[d]:.4f}"),
            ("real eigenvalues of W outside |λ| = 1", str(sp["n_real_outside"])),
            ("complex pairs outside |λ| = 1", str(sp["n_pairs_outside"])),
            ("their phases", phases),
        ]
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>" for a, b in rows
        )
        return f"<table><tbody>{body}</tbody></table>"
