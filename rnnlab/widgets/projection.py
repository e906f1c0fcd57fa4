"""Choose how to look at a high-dimensional phase portrait: which three axes, from which angle."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from rnnlab.analysis.projection import PCA
from rnnlab.plotting.census_plots import (
    index_handles,
    plot_fixed_points_by_index,
    update_fixed_points_by_index,
)
from rnnlab.plotting.plots import TRAJECTORY_COLOR
from rnnlab.widgets._base import App

__all__ = ["ProjectionApp"]


class ProjectionApp(App):
    r"""Fixed points and a trajectory in three chosen coordinates, rotatable in 3-D.

    A network's states live in :math:`N` dimensions; a picture shows three. Which three is a
    choice, and for a 4-bit flip-flop (a tesseract, chapter 04) different choices give
    different shapes. The app offers two coordinate systems,

    * **PCA**: the principal components of a fitted :class:`~rnnlab.PCA` (e.g. Jang's
      correlation PCA of the fixed points), :math:`y = V^\top S^{-1}(x - \bar x)`;
    * **readout**: :math:`z = W_o \tanh x`, one axis per bit, in which the ideal memories are
      the corners :math:`\{\pm 1\}^n`,

    and three dropdowns pick the axes shown (e.g. PC1, PC2, PC4, or :math:`z_1, z_2, z_4`).
    Two sliders set the viewing angle (elevation and azimuth); under ``%matplotlib widget``
    the figure can also be dragged. Everything is projected when the app is built; a change
    of axes only moves artists (``_offsets3d``, ``set_data_3d``).

    Parameters
    ----------
    points : array_like, shape (n_points, N)
        Fixed points.
    n_unstable : array_like of int, shape (n_points,)
        Their unstable dimensions (marker style, :data:`rnnlab.plotting.census_plots.INDEX_STYLE`).
    pca : PCA, optional
        Fitted, with at least 3 components.
    readout : callable, optional
        Maps states ``(..., N)`` to readouts ``(..., n_out)``, ``n_out >= 3``
        (e.g. ``esn.readout``). At least one of ``pca`` and ``readout`` is needed.
    trajectory : array_like, shape (T, N), optional
        A run of the network, drawn as a line.
    edges : array_like of int, shape (n_edges, 2), optional
        Pairs of point indices joined by a grey line (e.g. the edges of the cube).
    basis : {'pca', 'readout'}
        The coordinates shown first.
    axes : (int, int, int)
        The axes shown first, 0-based (default the first three).
    elev, azim : float
        The first viewing angle, degrees.

    Attributes
    ----------
    fig, ax : Figure and 3-D Axes
    basis_buttons : ipywidgets.ToggleButtons
    axis_menus : list of three ipywidgets.Dropdown
    elev_slider, azim_slider : ipywidgets.FloatSlider
    table : ipywidgets.HTML
        What the chosen axes are (variance fraction of each PC).
    coords : dict of str to ndarray, shape (n_points, k)
        The points in each basis (all components).

    Examples
    --------
    >>> import rnnlab
    >>> rng = np.random.default_rng(0)
    >>> corners = np.array([[a, b, c, d] for a in (-1, 1) for b in (-1, 1)
    ...                     for c in (-1, 1) for d in (-1, 1)], float)
    >>> X = corners @ rng.normal(size=(4, 30))  # a tesseract embedded in 30 dimensions
    >>> app = ProjectionApp(X, np.zeros(16, int), pca=rnnlab.PCA(4).fit(X))
    >>> app.update(axes=(0, 1, 3), azim=30)
    >>> app.ax.get_zlabel()
    'PC4'
    """

    def __init__(
        self,
        points,
        n_unstable,
        *,
        pca: PCA | None = None,
        readout=None,
        trajectory=None,
        edges=None,
        basis: str = "pca",
        axes: tuple[int, int, int] = (0, 1, 2),
        elev: float = 20.0,
        azim: float = -55.0,
    ):
        X = np.asarray(points, dtype=float)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"points must have shape (n_points, N), got {X.shape}")
        self.n_unstable = np.asarray(n_unstable, dtype=int)
        if self.n_unstable.shape != (len(X),):
            raise ValueError(
                f"n_unstable must have shape ({len(X)},), one per point, got {self.n_unstable.shape}"
            )
        if pca is None and readout is None:
            raise ValueError("give pca, readout or both: the app needs a coordinate system")
        T = None if trajectory is None else np.asarray(trajectory, dtype=float)
        if T is not None and (T.ndim != 2 or T.shape[1] != X.shape[1]):
            raise ValueError(f"trajectory must have shape (T, {X.shape[1]}), got {T.shape}")

        self._project(X, T, pca, readout)
        if basis not in self.coords:
            raise ValueError(f"basis must be one of {sorted(self.coords)}, got {basis!r}")
        self.edges = np.empty((0, 2), int) if edges is None else np.asarray(edges, dtype=int)
        if self.edges.ndim != 2 or self.edges.shape[1] != 2 or np.any(self.edges >= len(X)):
            raise ValueError(f"edges must be pairs of point indices below {len(X)}")
        self._hold = False
        self._image = None
        self._build_figure(with_trajectory=T is not None)

        # -- controls --------------------------------------------------------------------
        self.basis_buttons = widgets.ToggleButtons(
            options=[({"pca": "PCA"}.get(n, n), n) for n in self.coords],
            value=basis,
            description="axes from",
        )
        self.axis_menus = [
            widgets.Dropdown(description=d, layout=widgets.Layout(width="150px")) for d in "xyz"
        ]
        self.elev_slider = widgets.FloatSlider(
            value=elev, min=-90, max=90, step=5, description="elevation"
        )
        self.azim_slider = widgets.FloatSlider(
            value=azim, min=-180, max=180, step=5, description="azimuth"
        )
        self.table = widgets.HTML()
        self._set_menus(basis, axes)
        self.basis_buttons.observe(self._on_basis, names="value")
        for w in (*self.axis_menus, self.elev_slider, self.azim_slider):
            w.observe(self._on_change, names="value")
        self._show()

    # -- building --------------------------------------------------------------------------
    def _project(self, X: np.ndarray, T: np.ndarray | None, pca, readout) -> None:
        """The points (and the trajectory) in every coordinate system given, with axis labels."""
        project, self.labels, self.coords, self.paths = {}, {}, {}, {}
        if pca is not None:
            if not isinstance(pca, PCA) or not hasattr(pca, "components_"):
                raise TypeError("pca must be a fitted rnnlab.PCA")
            project["pca"] = pca.transform
            self.labels["pca"] = [f"PC{i + 1}" for i in range(pca.n_components)]
        if readout is not None:
            if not callable(readout):
                raise TypeError("readout must be a callable, states -> readouts (esn.readout)")
            project["readout"] = readout
        for name, f in project.items():
            self.coords[name] = np.asarray(f(X), dtype=float)
            if self.coords[name].shape[-1] < 3:
                raise ValueError(
                    f"the {name} coordinates must have at least 3 axes, got {self.coords[name].shape[-1]}"
                )
            if T is not None:
                self.paths[name] = np.asarray(f(T), dtype=float)
        if readout is not None:
            self.labels["readout"] = [f"z{i + 1}" for i in range(self.coords["readout"].shape[1])]
        self.explained = None if pca is None else np.asarray(pca.explained_variance_ratio_)

    def _build_figure(self, with_trajectory: bool) -> None:
        """The 3-D axes with empty artists (edges, trajectory, fixed points) and the legend."""
        self.fig = self._new_figure((6.4, 5.6))
        self.ax = self.fig.add_subplot(projection="3d")
        self.edge_lines = [
            self.ax.plot([], [], [], color="0.6", lw=1, zorder=1)[0] for _ in self.edges
        ]
        (self.trajectory_line,) = self.ax.plot(
            [], [], [], color=TRAJECTORY_COLOR, lw=0.6, alpha=0.45, zorder=1
        )
        self.fixed_points = plot_fixed_points_by_index(
            self.ax, np.empty((0, 3)), np.empty(0, dtype=int), scale=0.8
        )
        handles = index_handles(tuple(sorted(set(np.minimum(self.n_unstable, 4).tolist()))))
        if with_trajectory:
            handles.append(Line2D([], [], color=TRAJECTORY_COLOR, lw=1, label="trajectory"))
        self.ax.legend(handles=handles, loc="upper left", fontsize="x-small")

    # -- layout --------------------------------------------------------------------------
    def _controls(self) -> list:
        return [
            self.basis_buttons,
            widgets.HBox(self.axis_menus),
            widgets.HBox([self.elev_slider, self.azim_slider]),
        ]

    def _set_menus(self, basis: str, axes) -> None:
        n = self.coords[basis].shape[1]
        axes = tuple(int(a) for a in axes)
        if len(axes) != 3 or len(set(axes)) != 3 or not all(0 <= a < n for a in axes):
            raise ValueError(f"axes must be three different indices in [0, {n}), got {axes}")
        options = [(label, i) for i, label in enumerate(self.labels[basis])]
        self._hold = True
        try:
            for menu, a in zip(self.axis_menus, axes, strict=True):
                menu.options = options
                menu.value = a
        finally:
            self._hold = False

    # -- actions -------------------------------------------------------------------------
    def update(
        self,
        *,
        basis: str | None = None,
        axes: tuple[int, int, int] | None = None,
        elev: float | None = None,
        azim: float | None = None,
    ) -> None:
        """Change what is shown, as the controls would (one redraw)."""
        if basis is not None and basis not in self.coords:
            raise ValueError(f"basis must be one of {sorted(self.coords)}, got {basis!r}")
        self._hold = True
        try:
            if basis is not None and basis != self.basis_buttons.value:
                self.basis_buttons.value = basis
                self._set_menus(basis, (0, 1, 2))
                self._hold = True
            if axes is not None:
                self._set_menus(self.basis_buttons.value, axes)
                self._hold = True
            if elev is not None:
                self._set_slider(self.elev_slider, elev, "elev")
            if azim is not None:
                self._set_slider(self.azim_slider, azim, "azim")
        finally:
            self._hold = False
        self._show()
        self._draw()

    def _on_basis(self, change) -> None:
        if self._hold:
            return
        self._set_menus(change["new"], (0, 1, 2))
        self._show()
        self._draw()

    def _on_change(self, _change) -> None:
        if self._hold:
            return
        if len({m.value for m in self.axis_menus}) < 3:
            self.table.value = "<p>choose three different axes</p>"
            return
        self._show()
        self._draw()

    @property
    def axes(self) -> tuple[int, int, int]:
        """The axes shown (0-based indices into the current basis)."""
        return tuple(int(m.value) for m in self.axis_menus)

    def _show(self) -> None:
        basis, cols = self.basis_buttons.value, list(self.axes)
        P = self.coords[basis][:, cols]
        update_fixed_points_by_index(self.fixed_points, P, self.n_unstable)
        for line, (a, b) in zip(self.edge_lines, self.edges, strict=True):
            line.set_data_3d(*P[[a, b]].T)
        every = [P]
        if basis in self.paths:
            path = self.paths[basis][:, cols]
            self.trajectory_line.set_data_3d(*path.T)
            every.append(path)
        lo, hi = np.min(np.vstack(every), axis=0), np.max(np.vstack(every), axis=0)
        pad = 0.05 * (hi - lo) + 1e-9
        self.ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        self.ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        self.ax.set_zlim(lo[2] - pad[2], hi[2] + pad[2])
        names = [self.labels[basis][c] for c in cols]
        self.ax.set_xlabel(names[0])
        self.ax.set_ylabel(names[1])
        self.ax.set_zlabel(names[2])
        self.ax.view_init(elev=self.elev_slider.value, azim=self.azim_slider.value)
        self.ax.set_title(", ".join(names), fontsize="medium")
        self.table.value = self.table_html()

    def table_html(self) -> str:
        """What the chosen axes are: for PCs, the fraction of the variance each carries."""
        basis, cols = self.basis_buttons.value, list(self.axes)
        names = [self.labels[basis][c] for c in cols]
        if basis == "pca":
            cells = "".join(
                f"<tr><td>{html.escape(n)}</td><td>{self.explained[c]:.3f}</td></tr>"
                for n, c in zip(names, cols, strict=True)
            )
            return (
                "<table><thead><tr><th>axis</th><th>fraction of the variance</th></tr></thead>"
                f"<tbody>{cells}</tbody></table>"
            )
        return f"<p>readout coordinates {html.escape(', '.join(names))}: one axis per bit.</p>"
