"""A random rate network, live: the spectrum at the origin, activity, fixed points."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from rnnlab import blas_limited
from rnnlab._internal.validation import positive_float, positive_int
from rnnlab.dynamics.simulate import simulate
from rnnlab.dynamics.stability import classify
from rnnlab.dynamics.systems import random_rnn
from rnnlab.fixedpoints.finder import find_fixed_points
from rnnlab.fixedpoints.starts import sample_states
from rnnlab.plotting.plots import (
    plot_spectrum,
    update_spectrum,
)
from rnnlab.widgets._base import App

__all__ = ["RandomRNNApp"]


class RandomRNNApp(App):
    r"""A random rate network :math:`\dot x = -x + W\tanh x`, :math:`W_{ij}\sim\mathcal N(0, g^2/N)`.

    Moving :math:`g` or :math:`N` rebuilds the network (:func:`rnnlab.random_rnn`, same
    ``seed``, so the same ``N, g, seed`` always give the same network) and shows

    * the eigenvalues of the Jacobian at the origin, :math:`J = -I + W`, with the
      circular-law disk of radius :math:`g` centred at :math:`-1` and the stability
      boundary :math:`\operatorname{Re}\lambda = 0`: the origin loses stability at
      :math:`g = 1`;
    * the activity of a few units from a random initial state, decaying to 0 for
      :math:`g < 1`; for :math:`g > 1` it is chaotic in large networks, while small ones
      (:math:`N \lesssim 200`) often settle on a limit cycle instead (chapter 02 measures
      this: at :math:`g = 1.5`, 0 of 10 seeds were chaotic at N = 100, 5 of 10 at N = 500);
    * a line on the fixed points found from ``n_starts`` states of that trajectory.

    This app is not in the 50 ms class: an eigendecomposition, a simulation and a
    fixed-point search of an ``N``-unit network take ~0.1-1 s, so its sliders update on
    release (``continuous_update=False``).

    Parameters
    ----------
    N : int
        Units, 50 to 400.
    g : float
        Gain, 0.1 to 2.5.
    seed : int
        Network and initial state.
    n_units : int
        Traces shown.
    duration : float
        Simulated time.
    n_starts, max_iter : int
        Budget of the fixed-point search.

    Attributes
    ----------
    fig, ax_spectrum, ax_traces : Figure and Axes
    g_slider : ipywidgets.FloatSlider
    N_slider : ipywidgets.IntSlider
    table : ipywidgets.HTML
        The fixed-point line.
    system : RateRNN
    fps : FixedPoints
    spectrum : rnnlab.plotting.plots.SpectrumArtists
    trace_lines : list of Line2D
    """

    def __init__(
        self,
        N: int = 200,
        g: float = 1.5,
        seed: int = 0,
        *,
        n_units: int = 5,
        duration: float = 60.0,
        n_starts: int = 6,
        max_iter: int = 40,
    ):
        N = positive_int(N, "N")
        if not 50 <= N <= 400:
            raise ValueError(f"N must be between 50 and 400 (the slider), got {N}")
        if not 0.1 <= g <= 2.5:
            raise ValueError(f"g must be between 0.1 and 2.5 (the slider), got {g}")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        self.seed = int(seed)
        self.n_units = positive_int(n_units, "n_units")
        if self.n_units > 50:
            raise ValueError(f"n_units must be at most 50 (the smallest N), got {n_units}")
        self.duration = positive_float(duration, "duration")
        self.n_starts = positive_int(n_starts, "n_starts")
        self.max_iter = positive_int(max_iter, "max_iter")
        self._hold = False
        self._image = None
        slider = dict(continuous_update=False)
        self.g_slider = widgets.FloatSlider(
            value=g, min=0.1, max=2.5, step=0.05, description="g", readout_format=".2f", **slider
        )
        self.N_slider = widgets.IntSlider(
            value=N, min=50, max=400, step=50, description="N", **slider
        )
        self.table = widgets.HTML()

        self.fig = self._new_figure((10, 4.2))
        gs = self.fig.add_gridspec(1, 2, width_ratios=[1, 1.5])
        self.ax_spectrum = self.fig.add_subplot(gs[0])
        self.ax_traces = self.fig.add_subplot(gs[1])
        self.spectrum = plot_spectrum([0j], ax=self.ax_spectrum, radius=1.0, center=-1.0)
        self.ax_spectrum.legend(
            handles=[
                self.spectrum.boundary,
                self.spectrum.circle,
                Line2D(
                    [], [], ls="none", marker="o", ms=4, color="#1f77b4", label=r"Re $\lambda < 0$"
                ),
                Line2D(
                    [], [], ls="none", marker="o", ms=4, color="#d62728", label=r"Re $\lambda > 0$"
                ),
            ],
            loc="upper left",
            fontsize="small",
        )
        self.trace_lines = [self.ax_traces.plot([], [], lw=1)[0] for _ in range(self.n_units)]
        self.ax_traces.set_xlabel("time")
        self.ax_traces.set_ylabel("$x_i$")
        self.ax_traces.set_title(f"{self.n_units} units from a random initial state")
        # supxlabel, not fig.text: constrained layout makes room for it.
        self.fp_text = self.fig.supxlabel("", fontsize="small")

        self.g_slider.observe(self._on_param, names="value")
        self.N_slider.observe(self._on_param, names="value")
        self._refresh()

    def _controls(self) -> list:
        return [widgets.HBox([self.g_slider, self.N_slider])]

    def update(self, **params) -> None:
        """Set ``g`` and/or ``N`` as the sliders would, and redraw once."""
        unknown = set(params) - {"g", "N"}
        if unknown:
            raise ValueError(f"update() takes g and N; got {sorted(unknown)}")
        self._hold = True
        try:
            if "g" in params:
                self._set_slider(self.g_slider, params["g"], "g")
            if "N" in params:
                self._set_slider(self.N_slider, params["N"], "N")
        finally:
            self._hold = False
        self._refresh()
        self._draw()

    def _on_param(self, _change) -> None:
        if not self._hold:
            self._refresh()
            self._draw()

    def _refresh(self) -> None:
        N, g = int(self.N_slider.value), float(self.g_slider.value)
        net, lam, t, x, self.fps = self._compute(N, g)
        self.system = net
        update_spectrum(self.spectrum, lam, radius=g, center=-1.0)
        self.ax_spectrum.set_title(f"eigenvalues of $J(0) = -I + W$, N = {N}, g = {g:.2f}")
        for i, line in enumerate(self.trace_lines):
            line.set_data(t, x[:, i])
        top = max(1.1 * float(np.abs(x[:, : self.n_units]).max()), 0.1)
        self.ax_traces.set_xlim(0, self.duration)
        self.ax_traces.set_ylim(-top, top)
        self.fp_text.set_text(self.fixed_point_line(lam))
        self.table.value = f"<p>{html.escape(self.fp_text.get_text())}</p>"

    @blas_limited  # rnnlab's BLAS-thread setting (one thread by default) for the whole update
    def _compute(self, N: int, g: float):
        net = random_rnn(N, g, seed=self.seed)
        lam = net.eigenvalues(np.zeros(N))
        x0 = np.random.default_rng((self.seed, 1)).standard_normal(N)
        t, x = simulate(net, x0, self.duration, dt=0.1)
        starts = sample_states(x[len(x) // 2 :], self.n_starts, seed=self.seed)
        return net, lam, t, x, find_fixed_points(net, starts, max_iter=self.max_iter)

    def fixed_point_line(self, lam: np.ndarray) -> str:
        """One line: the origin's type and what the search from the trajectory found."""
        census = ", ".join(f"{c} with {k} unstable" for k, c in self.fps.counts().items())
        n = self.fps.n_fixed
        return (
            f"origin: {classify(lam)}. Search from {len(self.fps.x0)} states of the trajectory "
            f"({self.max_iter} steps): {n} fixed point{'' if n == 1 else 's'}"
            f"{' (' + census + ')' if census else ''}, {self.fps.n_slow} slow, "
            f"{self.fps.n_not_converged} not converged "
            f"(fixed: q < {self.fps.tol_fixed:g}, slow: q < {self.fps.tol_slow:g})."
        )
