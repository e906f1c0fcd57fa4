"""Shared plumbing of the apps: figure, layout, display with a static fallback."""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt


def _is_live(fig) -> bool:
    """True when the figure is an ipympl canvas, i.e. a widget that redraws itself."""
    if isinstance(fig.canvas, widgets.DOMWidget):
        return True
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


class _App:
    """Shared plumbing: the figure, the widget layout, display, and observer hold."""

    fig: matplotlib.figure.Figure
    table: widgets.HTML

    def _new_figure(self, figsize):
        # ioff: under ipympl plt.figure() would display the canvas on its own, and
        # showing it again inside the app's box would duplicate it.
        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
        if isinstance(fig.canvas, widgets.DOMWidget):
            fig.canvas.header_visible = False
            fig.canvas.toolbar_position = "left"
        self._freeze_cid = fig.canvas.mpl_connect("draw_event", self._freeze_layout)
        return fig

    def _freeze_layout(self, _event) -> None:
        # Constrained layout measures every text on every draw, about half of the render
        # time; once laid out, the panels keep their places while the data move.
        self.fig.set_layout_engine("none")
        self.fig.canvas.mpl_disconnect(self._freeze_cid)

    def _controls(self) -> list:
        raise NotImplementedError

    @property
    def widget(self) -> widgets.Box:
        """Controls, the live figure (or a PNG of it off ipympl) and the fixed-point table."""
        if getattr(self, "_widget", None) is None:
            if isinstance(self.fig.canvas, widgets.DOMWidget):
                view = self.fig.canvas
            else:
                # No live canvas: show a PNG and re-render it after every update.
                self._image = view = widgets.Image(format="png")
                self._refresh_image()
            self._widget = widgets.VBox([*self._controls(), view, self.table])
        return self._widget

    def _refresh_image(self) -> None:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=80)
        self._image.value = buf.getvalue()

    def _draw(self) -> None:
        self.fig.canvas.draw_idle()
        if getattr(self, "_image", None) is not None:
            self._refresh_image()

    def static_html(self, dpi: int = 100) -> str:
        """The figure as an embedded PNG followed by the fixed-point table: what a reader
        without a kernel (the book, a static export) sees in place of the live app."""
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=dpi)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        return (
            f'<img src="data:image/png;base64,{png}" alt="{type(self).__name__}" '
            f'style="max-width: 100%"/>\n{self.table.value}'
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # Under ipympl: the live widget view, plus a static HTML fallback that front ends
        # without widget support (Jupyter Book, nbconvert) pick instead of "VBox(...)".
        # Elsewhere: only the static figure and table.
        bundle = {"text/plain": f"<{type(self).__name__}: interactive, needs a live kernel>"}
        bundle["text/html"] = self.static_html()
        if _is_live(self.fig):
            bundle.update(
                {k: v for k, v in self.widget._repr_mimebundle_().items() if k != "text/plain"}
            )
        return bundle

    def close(self) -> None:
        """Close the figure (free its memory)."""
        plt.close(self.fig)

    @staticmethod
    def _set_slider(slider, value, name: str) -> None:
        if not slider.min <= value <= slider.max:
            raise ValueError(
                f"{name} must be between {slider.min} and {slider.max} (the slider's range), "
                f"got {value}"
            )
        slider.value = value


# -- the 2-D toy system -----------------------------------------------------------------------
