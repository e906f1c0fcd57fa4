"""The 2-D toy system, live: parameters, nullclines, fixed points, clicks, search paths."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from rnnlab._internal.format import fmt_complex, fmt_real
from rnnlab._internal.validation import positive_float
from rnnlab.dynamics.simulate import simulate
from rnnlab.dynamics.systems import ToySystem
from rnnlab.fixedpoints.finder import find_fixed_points
from rnnlab.fixedpoints.starts import grid_2d
from rnnlab.plotting.plots import (
    FIXED_POINT_STYLE,
    TRAJECTORY_COLOR,
    fixed_point_family,
    fixed_point_handles,
    phase_portrait,
    update_fixed_points,
    update_nullclines,
    update_speed_image,
    update_vector_field,
)
from rnnlab.widgets._base import App

__all__ = ["ToySystemApp"]

_Q_FLOOR = 1e-32  # q on the log axis of the q panel: exact zeros are drawn here


class ToySystemApp(App):
    r"""Phase portrait of the toy family :math:`\dot x = (a - x^2)y,\ \dot y = bx - y`, live.

    Sliders for :math:`a` and :math:`b` move the speed image (:math:`\log_{10} q`), the
    vector field, the nullclines and the fixed points, found by
    :func:`rnnlab.find_fixed_points` from a coarse grid of starts. The table lists each
    point's position, eigenvalues and type. A click on the portrait launches a trajectory
    there (:meth:`click`); a shift-click adds a start for the fixed-point search and shows
    its minimisation path, which the step slider walks through with the speed :math:`q` of
    each step on the right. After the first full draw, an update redraws only the
    artists that change over a cached background (ticks, colour bar, legend) and sends
    the frame at once (blitting; see ``benchmarks/widgets.py`` for the times).

    Parameters
    ----------
    a, b : float
        Initial parameters (:class:`rnnlab.ToySystem`); :math:`b \ne 0`.
    xlim, ylim : (float, float)
        The window.
    grid : int
        The search starts on a ``grid x grid`` lattice over the window.
    duration : float
        Length of the clicked trajectories (time units).

    Attributes
    ----------
    fig, ax, ax_q : Figure and Axes
        The figure, the phase portrait and the panel of :math:`q` along the path.
    a_slider, b_slider : ipywidgets.FloatSlider
    start_dropdown : ipywidgets.Dropdown
        Which start's minimisation path to show.
    path_slider : ipywidgets.IntSlider
        Step along that path.
    clear_button : ipywidgets.Button
        Removes the clicked trajectories.
    table : ipywidgets.HTML
        The fixed points.
    system : ToySystem
    fps : FixedPoints
        The current search result (with ``paths``).
    portrait : rnnlab.plotting.plots.PortraitArtists
    """

    max_trajectories = 10
    a_range = (-0.5, 2.0)
    b_range = (-1.0, 1.0)
    dt = 0.1  # Euler step of the clicked trajectories (stable: |dt λ| < 2 in the window)

    def __init__(
        self,
        a: float = 1.0,
        b: float = 0.5,
        xlim: tuple[float, float] = (-2.0, 2.0),
        ylim: tuple[float, float] = (-1.5, 1.5),
        *,
        grid: int = 7,
        duration: float = 50.0,
    ):
        for name, value, (lo, hi) in (("a", a, self.a_range), ("b", b, self.b_range)):
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo} and {hi} (the slider), got {value}")
        self.system = ToySystem(a, b)
        self.grid_starts = grid_2d(xlim, ylim, grid)  # checks xlim, ylim and grid
        self.xlim, self.ylim = tuple(map(float, xlim)), tuple(map(float, ylim))
        self.extra_starts: list[tuple[float, float]] = []
        self.duration = positive_float(duration, "duration")
        self._hold = False
        self._image = None

        self.fps = self._search()
        self.fig = self._new_figure((9.5, 4.6))
        gs = self.fig.add_gridspec(1, 2, width_ratios=[2.6, 1])
        self.ax = self.fig.add_subplot(gs[0])
        self.ax_q = self.fig.add_subplot(gs[1])
        self.portrait = phase_portrait(
            self.system, self.xlim, self.ylim, ax=self.ax, fixed_points=self.fps, colorbar=True
        )
        self.portrait.legend.remove()
        self._legend()
        self.title = self.ax.set_title("")
        self.trajectory_starts: list[tuple[float, float]] = []
        self.trajectory_lines: list = []

        # The minimisation path of one start, and where along it the slider is.
        start = int(np.argmax([len(p) for p in self.fps.paths]))
        (self.path_line,) = self.ax.plot([], [], "--", color="#e377c2", lw=1.5, zorder=4)
        (self.path_marker,) = self.ax.plot(
            [], [], "o", ms=8, mfc="#e377c2", mec="k", zorder=6, label="search step"
        )
        (self.q_line,) = self.ax_q.semilogy([], [], ".-", color="#e377c2")
        (self.q_marker,) = self.ax_q.semilogy([], [], "o", ms=8, mfc="#e377c2", mec="k")
        self.ax_q.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax_q.set_xlabel("search step")
        self.ax_q.set_ylabel(r"speed $q$")
        self.ax_q.set_title("minimisation of $q$", fontsize="medium")

        slider = dict(continuous_update=True, readout_format=".2f")
        self.a_slider = widgets.FloatSlider(
            value=a, min=self.a_range[0], max=self.a_range[1], step=0.05, description="a", **slider
        )
        self.b_slider = widgets.FloatSlider(
            value=b, min=self.b_range[0], max=self.b_range[1], step=0.05, description="b", **slider
        )
        self.start_dropdown = widgets.Dropdown(
            options=self._start_options(), value=start, description="path from"
        )
        self.path_slider = widgets.IntSlider(
            value=0, min=0, max=1, description="step", continuous_update=True
        )
        self.clear_button = widgets.Button(description="clear trajectories")
        self.table = widgets.HTML()
        self.a_slider.observe(self._on_param, names="value")
        self.b_slider.observe(self._on_param, names="value")
        self.start_dropdown.observe(self._on_start, names="value")
        self.path_slider.observe(self._on_step, names="value")
        self.clear_button.on_click(lambda _: self.clear_trajectories())
        self.fig.canvas.mpl_connect("button_press_event", self._on_press)

        self._show_fixed_points()
        self._show_path()
        # The portrait's window is fixed (its ticks stay); the q panel rescales per path.
        self._enable_blit(fixed=[self.ax], moving=[self.ax_q])

    # -- layout --------------------------------------------------------------------------
    def _controls(self) -> list:
        return [
            widgets.HBox([self.a_slider, self.b_slider, self.clear_button]),
            widgets.HBox([self.start_dropdown, self.path_slider]),
        ]

    def _legend(self) -> None:
        handles = [
            *self.portrait.nullclines.lines,
            Line2D(
                [],
                [],
                color=TRAJECTORY_COLOR,
                marker="o",
                ms=4,
                markevery=[0],
                label="trajectory (click)",
            ),
            Line2D([], [], ls="--", marker="o", color="#e377c2", mec="k", label="search path"),
        ]
        # In this family an unstable node or focus cannot occur (at the origin the trace of J is
        # -1; the outer points have eigenvalues -2ab and -1), but at a = 0 the origin is
        # non-hyperbolic.
        handles += fixed_point_handles(["stable", "saddle", "non-hyperbolic"])
        # Below the figure, so it never hides part of the portrait.
        self.fig.legend(handles=handles, loc="outside lower center", ncols=7, fontsize="small")

    # -- computation ---------------------------------------------------------------------
    def _starts(self) -> np.ndarray:
        if not self.extra_starts:
            return self.grid_starts
        return np.vstack([self.grid_starts, np.asarray(self.extra_starts)])

    def _start_options(self) -> list[tuple[str, int]]:
        return [
            (f"({fmt_real(x, 2)}, {fmt_real(y, 2)})", i) for i, (x, y) in enumerate(self._starts())
        ]

    def _search(self):
        # A coarse grid and a modest budget keep the callback fast; the toy system's
        # points converge in under 10 steps from anywhere in the window.
        return find_fixed_points(self.system, self._starts(), max_iter=60, record_paths=True)

    def _simulate(self, starts: np.ndarray) -> np.ndarray:
        """Trajectories from ``starts`` (:func:`rnnlab.simulate`, Euler with step :attr:`dt`),
        shape ``(B, T, 2)``, each cut (NaN) after its first point outside :meth:`_box`.

        For :math:`b < 0` the flow outside :math:`|x| < \\sqrt a` blows up in finite time
        and Euler overflows; then the integration is redone in short pieces that freeze the
        states that have left the box.
        """
        lo, hi = self._box()
        X0 = np.array(starts, dtype=float)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                _, X = simulate(self.system, X0, self.duration, dt=self.dt)
        except FloatingPointError:
            X = self._simulate_in_pieces(X0, lo, hi)
        outside = np.any((X < lo) | (X > hi), axis=2)
        for b in np.flatnonzero(np.any(outside, axis=1)):
            X[b, np.argmax(outside[b]) + 1 :] = np.nan
        return X

    def _simulate_in_pieces(self, X0, lo, hi, piece: float = 1.0) -> np.ndarray:
        n_pieces = round(self.duration / piece)
        per = round(piece / self.dt)
        out = np.full((len(X0), n_pieces * per + 1, 2), np.nan)
        out[:, 0] = x = X0.copy()
        alive = np.all((x > lo) & (x < hi), axis=1)
        for k in range(n_pieces):
            idx = np.flatnonzero(alive)
            if idx.size == 0:
                break
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    seg = simulate(self.system, x[idx], piece, dt=self.dt)[1]
            except FloatingPointError:
                seg = np.full((idx.size, per + 1, 2), np.nan)
                for j, i in enumerate(idx):  # one by one: a blow-up loses only its own start
                    try:
                        with np.errstate(over="ignore", invalid="ignore"):
                            seg[j] = simulate(self.system, x[i], piece, dt=self.dt)[1]
                    except FloatingPointError:
                        alive[i] = False
            out[idx, k * per + 1 : (k + 1) * per + 1] = seg[:, 1:]
            x[idx] = seg[:, -1]
            alive[idx] &= np.all((seg[:, -1] > lo) & (seg[:, -1] < hi), axis=1)
        return out

    def _box(self) -> np.ndarray:
        """Corners ``[[x_lo, y_lo], [x_hi, y_hi]]`` of the box three times the window."""
        lo = np.array([self.xlim[0], self.ylim[0]])
        hi = np.array([self.xlim[1], self.ylim[1]])
        return np.array([lo - (hi - lo), hi + (hi - lo)])

    # -- the public actions ----------------------------------------------------------------
    def update(self, **params) -> None:
        """Set any of ``a``, ``b`` (parameters), ``start`` (index of the path's start) and
        ``step`` (along the path), as the controls would, and redraw once."""
        unknown = set(params) - {"a", "b", "start", "step"}
        if unknown:
            raise ValueError(f"update() takes a, b, start, step; got {sorted(unknown)}")
        self._hold = True
        try:
            for name in ("a", "b"):
                if name in params:
                    self._set_slider(getattr(self, f"{name}_slider"), params[name], name)
            if "start" in params:
                n = len(self._starts())
                if not 0 <= params["start"] < n:
                    raise ValueError(f"start must be an index in 0..{n - 1}, got {params['start']}")
                self.start_dropdown.value = params["start"]
        finally:
            self._hold = False
        if {"a", "b"} & set(params):
            self._refresh_parameters()
        elif "start" in params:
            self._show_path()
        if "step" in params:
            self._set_slider(self.path_slider, params["step"], "step")
        self._draw()

    def click(self, x: float, y: float) -> np.ndarray:
        """Launch a trajectory from ``(x, y)`` and draw it; returns it, shape ``(T, 2)``.

        The last :attr:`max_trajectories` trajectories are kept; they are recomputed
        when a parameter changes.
        """
        if not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"the click must be a finite point, got ({x}, {y})")
        path = self._simulate(np.array([[x, y]]))[0]
        (line,) = self.ax.plot(
            *path.T, color=TRAJECTORY_COLOR, lw=1.5, marker="o", ms=4, markevery=[0], zorder=4
        )
        self.trajectory_starts.append((float(x), float(y)))
        self.trajectory_lines.append(line)
        if len(self.trajectory_lines) > self.max_trajectories:
            self.trajectory_starts.pop(0)
            self.trajectory_lines.pop(0).remove()
        self._draw()
        return path

    def add_start(self, x: float, y: float) -> None:
        """Add ``(x, y)`` to the search starts and show its minimisation path."""
        if not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"the start must be a finite point, got ({x}, {y})")
        self.extra_starts.append((float(x), float(y)))
        self.fps = self._search()
        self._hold = True
        try:
            self.start_dropdown.options = self._start_options()
            self.start_dropdown.value = len(self._starts()) - 1
        finally:
            self._hold = False
        self._show_path()
        self._draw()

    def clear_trajectories(self) -> None:
        """Remove the clicked trajectories."""
        for line in self.trajectory_lines:
            line.remove()
        self.trajectory_lines.clear()
        self.trajectory_starts.clear()
        self._draw()

    # -- callbacks -----------------------------------------------------------------------
    def _on_press(self, event) -> None:
        toolbar = getattr(self.fig.canvas, "toolbar", None)
        if event.inaxes is not self.ax or getattr(toolbar, "mode", "") not in ("", None):
            return  # zooming or panning, or outside the portrait
        # ipympl sends the held modifier keys with the click (MouseEvent.modifiers).
        if "shift" in getattr(event, "modifiers", ()) or event.key == "shift":
            self.add_start(event.xdata, event.ydata)
        else:
            self.click(event.xdata, event.ydata)

    def _on_param(self, _change) -> None:
        if not self._hold:
            self._refresh_parameters()
            self._draw()

    def _on_start(self, _change) -> None:
        if not self._hold:
            self._show_path()
            self._draw()

    def _on_step(self, _change) -> None:
        self._show_step()
        if not self._hold:
            self._draw()

    def _refresh_parameters(self) -> None:
        a, b = self.a_slider.value, self.b_slider.value
        if abs(b) < 1e-12:
            # b = 0 makes y = 0 a line of fixed points; ToySystem refuses it.
            self.title.set_text("b = 0: the line y = 0 is all fixed points; move b")
            self.table.value = "<p><b>b = 0</b>: a continuum of fixed points (y = 0).</p>"
            return
        self.system = ToySystem(a, b)
        self.title.set_text("")
        art = self.portrait
        update_speed_image(art.speed, self.system)
        update_vector_field(art.field, self.system)
        update_nullclines(art.nullclines, self.system)
        self.fps = self._search()
        self._show_fixed_points()
        if self.trajectory_lines:
            paths = self._simulate(np.asarray(self.trajectory_starts))
            for line, path in zip(self.trajectory_lines, paths, strict=True):
                line.set_data(path[:, 0], path[:, 1])
        self._show_path()

    def _show_fixed_points(self) -> None:
        update_fixed_points(self.portrait.fixed_points, self.fps)
        self.table.value = self.table_html()

    def _show_path(self) -> None:
        path = self.fps.paths[self.start_dropdown.value]
        self.path_line.set_data(path[:, 0], path[:, 1])
        q = np.maximum(self.system.q(path), _Q_FLOOR)  # q reaches 0 exactly; log axis
        steps = np.arange(len(path))
        self.q_line.set_data(steps, q)
        self.ax_q.set_xlim(-0.5, max(len(path) - 0.5, 1.5))
        # From a decade below the floor to a whole decade at least one above the largest q:
        # the limits, and so the ticks, stay while a parameter moves (ticks are redrawn
        # only when the limits change, _base.App._blit).
        self.ax_q.set_ylim(_Q_FLOOR / 10, 10.0 ** np.ceil(np.log10(q.max()) + 1))
        self._hold, held = True, self._hold
        try:
            self.path_slider.max = max(len(path) - 1, 1)
            self.path_slider.value = min(self.path_slider.value, len(path) - 1)
        finally:
            self._hold = held
        self._show_step()

    def _show_step(self) -> None:
        path = self.fps.paths[self.start_dropdown.value]
        k = min(self.path_slider.value, len(path) - 1)
        x = path[k]
        q = float(self.system.q(x))
        self.path_marker.set_data([x[0]], [x[1]])
        self.q_marker.set_data([k], [max(q, _Q_FLOOR)])
        self.ax_q.set_title(f"step {k}: q = {q:.1e}", fontsize="medium")

    def table_html(self) -> str:
        """The fixed points as an HTML table: position, eigenvalues, type."""
        rows = []
        for i in range(self.fps.n_points):
            fam = fixed_point_family(str(self.fps.kind[i]))
            st = FIXED_POINT_STYLE[fam]
            swatch = (
                f'<span style="display:inline-block;width:0.8em;height:0.8em;'
                f"background:{st['facecolors']};border:1px solid {st['edgecolors']};"
                f'border-radius:50%"></span>'
            )
            x, y = self.fps.x[i]
            lam = ", ".join(fmt_complex(v) for v in self.fps.eigenvalues[i])
            rows.append(
                f"<tr><td>{i}</td><td>({fmt_real(x)}, {fmt_real(y)})</td><td>{lam}</td>"
                f"<td>{swatch} {html.escape(str(self.fps.kind[i]))}</td></tr>"
            )
        head = (
            f"<p>{html.escape(str(self.system))}: {self.fps.n_fixed} fixed points from "
            f"{len(self.fps.x0)} starts</p>"
        )
        return (
            f"{head}<table><thead><tr><th>#</th><th>(x, y)</th><th>eigenvalues of J</th>"
            f"<th>type</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


# -- a random network -------------------------------------------------------------------------
