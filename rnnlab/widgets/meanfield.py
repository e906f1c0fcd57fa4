r"""Mean-field theory of a trained reservoir, live: Nyquist curve, output pole, spectrum."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from rnnlab._internal.validation import positive_int
from rnnlab.dynamics.nonlinearities import nonlinearity
from rnnlab.theory.meanfield import NoFadingMemory, mean_field, winding_number
from rnnlab.theory.open_loop import random_reservoir, train_open_loop
from rnnlab.widgets._base import App

__all__ = ["MeanFieldApp"]

PHIS = ("tanh", "relu", "logistic")
_OMEGA = np.concatenate([-np.logspace(2, -3, 300), np.logspace(-3, 2, 300)])
_G_SWEEP = np.linspace(0.1, 2.0, 39)


def _label(phi) -> str:
    return f"ReLU, θ = {phi.threshold:g}" if phi.name == "relu" else phi.name


class MeanFieldApp(App):
    r"""Sliders for :math:`g`, :math:`A`, the nonlinearity and the ReLU threshold :math:`\theta`.

    For the chosen setting the app redraws, in place,

    * left, the Nyquist picture: the mean-field open-loop gain
      :math:`G_{OL}(\omega) = A\beta_0/(1-\beta_1+i\omega)`, :math:`\omega\in\mathbb R` (a
      circle through 0 and :math:`G_{OL}(0)`), the gain of a finite network (``N`` units,
      trained in open loop by :func:`rnnlab.theory.open_loop.train_open_loop`) and the critical
      point :math:`+1`: the trained loop is unstable iff the curve encircles it;
    * middle, the closed-loop spectrum of that network with the mean-field prediction: the
      bulk disk of radius :math:`\rho` about -1 and the output pole :math:`\lambda_{out}`;
    * right, :math:`\lambda_{out}` against :math:`g` for the chosen nonlinearity, threshold
      and target, with the current :math:`g` marked.

    When the open loop has no fading memory (:math:`\rho \ge 1`, or no finite
    :math:`\sigma^2`) the app says so and draws nothing: the theory does not apply there.

    Parameters
    ----------
    g, A : float
        Initial gain (0.1 to 2.0) and target (0.1 to 2.0).
    phi : {'tanh', 'relu', 'logistic'}
    threshold : float
        ReLU threshold, -0.5 to 0.5 (ignored by the other nonlinearities).
    N : int
        Units of the finite network, 50 to 600 (its spectrum takes ~0.1 s at 300).
    seed : int
        Seed of the finite network.

    Attributes
    ----------
    fig, ax_nyquist, ax_spectrum, ax_sweep
    g_slider, A_slider, threshold_slider : ipywidgets.FloatSlider
    phi_dropdown : ipywidgets.Dropdown
    table : ipywidgets.HTML
    mf : MeanField or None
        The current mean-field result (None without fading memory).
    net : TrainedReservoir or None
    """

    def __init__(
        self,
        g: float = 0.8,
        A: float = 1.0,
        phi: str = "tanh",
        threshold: float = 0.0,
        *,
        N: int = 300,
        seed: int = 0,
    ):
        for name, value, lo, hi in (("g", g, 0.1, 2.0), ("A", A, 0.1, 2.0)):
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo} and {hi} (the slider), got {value}")
        if phi not in PHIS:
            raise ValueError(f"phi must be one of {PHIS}, got {phi!r}")
        if not -0.5 <= threshold <= 0.5:
            raise ValueError(f"threshold must be between -0.5 and 0.5, got {threshold}")
        self.N = positive_int(N, "N")
        if not 50 <= self.N <= 600:
            raise ValueError(f"N must be between 50 and 600, got {N}")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        self.seed = int(seed)
        self._hold = False
        self._image = None
        opts = dict(continuous_update=False, readout_format=".2f")
        self.g_slider = widgets.FloatSlider(
            value=g, min=0.1, max=2.0, step=0.05, description="g", **opts
        )
        self.A_slider = widgets.FloatSlider(
            value=A, min=0.1, max=2.0, step=0.05, description="A", **opts
        )
        self.threshold_slider = widgets.FloatSlider(
            value=threshold, min=-0.5, max=0.5, step=0.05, description="θ (ReLU)", **opts
        )
        self.phi_dropdown = widgets.Dropdown(options=PHIS, value=phi, description="φ")
        self.table = widgets.HTML()

        self.fig = self._new_figure((12, 4.0))
        self.ax_nyquist, self.ax_spectrum, self.ax_sweep = self.fig.subplots(1, 3)
        ax = self.ax_nyquist
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        (self.nyquist_net,) = ax.plot([], [], color="C0", lw=1, label=f"network, N = {self.N}")
        (self.nyquist_mft,) = ax.plot([], [], color="C3", lw=2, label="mean field")
        ax.plot([1], [0], "k+", ms=14, mew=2, label="critical point +1")
        ax.set_xlabel(r"Re $G_{OL}(\omega)$")
        ax.set_ylabel(r"Im $G_{OL}(\omega)$")
        ax.legend(loc="lower left", fontsize="small")
        ax = self.ax_spectrum
        ax.axvline(0, color="k", lw=0.8)
        self.eigs = ax.scatter([], [], s=6, color="C0", label="network, closed loop", zorder=3)
        (self.disk,) = ax.plot([], [], color="C3", lw=1.5, label=r"bulk, radius $\rho$")
        (self.pole,) = ax.plot([], [], "x", color="C3", ms=10, mew=2.5, label=r"$\lambda_{out}$")
        ax.set_xlabel(r"Re $\lambda$")
        ax.set_ylabel(r"Im $\lambda$")
        ax.legend(loc="lower left", fontsize="x-small", ncols=2)
        ax = self.ax_sweep
        ax.axhline(0, color="k", lw=0.8)
        (self.sweep,) = ax.plot([], [], color="C3", lw=2)
        (self.sweep_marker,) = ax.plot([], [], "o", color="C3")
        ax.set_xlim(_G_SWEEP[0], _G_SWEEP[-1])
        ax.set_xlabel("g")
        ax.set_ylabel(r"$\lambda_{out}$ (mean field)")
        self.message = self.fig.supxlabel("", fontsize="small")

        for control in (self.g_slider, self.A_slider, self.threshold_slider, self.phi_dropdown):
            control.observe(self._on_param, names="value")
        self._refresh()

    def _controls(self) -> list:
        return [
            widgets.HBox([self.g_slider, self.A_slider]),
            widgets.HBox([self.phi_dropdown, self.threshold_slider]),
        ]

    def update(self, **params) -> None:
        """Set ``g``, ``A``, ``phi`` and/or ``threshold`` as the controls would; redraw once."""
        unknown = set(params) - {"g", "A", "phi", "threshold"}
        if unknown:
            raise ValueError(f"update() takes g, A, phi and threshold; got {sorted(unknown)}")
        self._hold = True
        try:
            if "g" in params:
                self._set_slider(self.g_slider, params["g"], "g")
            if "A" in params:
                self._set_slider(self.A_slider, params["A"], "A")
            if "threshold" in params:
                self._set_slider(self.threshold_slider, params["threshold"], "threshold")
            if "phi" in params:
                if params["phi"] not in PHIS:
                    raise ValueError(f"phi must be one of {PHIS}, got {params['phi']!r}")
                self.phi_dropdown.value = params["phi"]
        finally:
            self._hold = False
        self._refresh()
        self._draw()

    def _on_param(self, _change) -> None:
        if not self._hold:
            self._refresh()
            self._draw()

    def _phi(self):
        name = self.phi_dropdown.value
        return nonlinearity(name, float(self.threshold_slider.value) if name == "relu" else 0.0)

    def _refresh(self) -> None:
        g, A, phi = float(self.g_slider.value), float(self.A_slider.value), self._phi()
        self.threshold_slider.disabled = phi.name != "relu"
        self._refresh_sweep(phi, A, g)
        try:
            self.mf = mf = mean_field(phi, g, A, n_nodes=61)
            J, u = random_reservoir(self.N, g, seed=self.seed)
            self.net = net = train_open_loop(J, u, A, phi)
        except NoFadingMemory as exc:
            self.mf = self.net = None
            for line in (self.nyquist_mft, self.nyquist_net, self.disk, self.pole):
                line.set_data([], [])
            self.eigs.set_offsets(np.empty((0, 2)))
            text = f"{_label(phi)}, g = {g:.2f}, A = {A:.2f}: no fading memory. {exc}"
            self.message.set_text(text[:140] + ("…" if len(text) > 140 else ""))
            self.table.value = f"<p>{html.escape(text)}</p>"
            return
        G = mf.G_OL(_OMEGA)
        Gn = net.G_OL(_OMEGA)
        self.nyquist_mft.set_data(G.real, G.imag)
        self.nyquist_net.set_data(Gn.real, Gn.imag)
        lo = min(G.real.min(), Gn.real.min(), -0.1)
        hi = max(G.real.max(), Gn.real.max(), 1.2)
        top = max(np.abs(G.imag).max(), np.abs(Gn.imag).max(), 0.3)
        self.ax_nyquist.set_xlim(lo - 0.1, hi + 0.1)
        self.ax_nyquist.set_ylim(-1.1 * top, 1.1 * top)
        lam = net.closed_loop_eigenvalues(0)
        self.eigs.set_offsets(np.column_stack([lam.real, lam.imag]))
        t = np.linspace(0, 2 * np.pi, 200)
        self.disk.set_data(-1 + mf.rho * np.cos(t), mf.rho * np.sin(t))
        self.pole.set_data([mf.lambda_out], [0.0])
        right = max(lam.real.max(), mf.lambda_out, 0.2) + 0.15
        self.ax_spectrum.set_xlim(-2.1, right)
        self.ax_spectrum.set_ylim(-1.5, 1.1)
        wind = -winding_number(G, 1.0)
        verdict = "stable" if mf.stable else "UNSTABLE"
        text = (
            f"{_label(phi)}, g = {g:.2f}, A = {A:.2f}: sigma = {mf.sigma:.3f} (network "
            f"{net.sigma():.3f}), rho = {mf.rho:.3f}, G_OL(0) = {mf.dc_gain:.3f} (network "
            f"{net.G_OL(0.0).real:.3f}), lambda_out = {mf.lambda_out:+.3f} ({verdict}; network's "
            f"rightmost eigenvalue {lam[0].real:+.3f}); clockwise turns around +1: {wind}"
        )
        self.message.set_text(
            f"{verdict}: λ_out = {mf.lambda_out:+.3f}, G_OL(0) = {mf.dc_gain:.3f}, ρ = {mf.rho:.3f}"
        )
        self.table.value = f"<p>{html.escape(text)}</p>"

    def _refresh_sweep(self, phi, A: float, g: float) -> None:
        lam = np.full(_G_SWEEP.size, np.nan)
        for i, gi in enumerate(_G_SWEEP):
            try:
                lam[i] = mean_field(phi, gi, A, n_nodes=41).lambda_out
            except NoFadingMemory:
                break
        self.sweep.set_data(_G_SWEEP, lam)
        self.ax_sweep.set_title(
            f"{_label(phi)}, A = {A:.2f} (ends where ρ reaches 1)", fontsize="small"
        )
        ok = np.isfinite(lam)
        if ok.any():
            lo, hi = min(lam[ok].min(), -0.05), max(lam[ok].max(), 0.05)
            pad = 0.1 * (hi - lo)
            self.ax_sweep.set_ylim(lo - pad, hi + pad)
        try:
            self.sweep_marker.set_data([g], [mean_field(phi, g, A, n_nodes=41).lambda_out])
        except NoFadingMemory:
            self.sweep_marker.set_data([], [])
