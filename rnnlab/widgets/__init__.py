r"""Interactive apps of the course (ipywidgets + ipympl).

Each app owns one figure and updates its artists in place when a control moves
(``set_data``, ``set_offsets``, ``set_UVC``, ``set_segments``), then asks for a redraw with
``fig.canvas.draw_idle()``; the figure is never re-created. All computation is library
code (:func:`rnnlab.find_fixed_points`, :func:`rnnlab.simulate`, :mod:`rnnlab.plotting.plots`).

In a notebook with ``%matplotlib widget`` an app displays as controls + live figure +
fixed-point table. Under any other backend (inline, Agg in tests, a static book build) it
displays the static figure and the table, and it can still be driven from code: set
``app.a_slider.value = 0.25`` or call ``app.update(a=0.25)`` and the artists follow.
"""

from rnnlab.widgets.delayed import DelayedFlipFlopApp
from rnnlab.widgets.meanfield import MeanFieldApp
from rnnlab.widgets.noise import NoiseApp
from rnnlab.widgets.projection import ProjectionApp
from rnnlab.widgets.random_rnn import RandomRNNApp
from rnnlab.widgets.toy import ToySystemApp
from rnnlab.widgets.training import TrainingApp
from rnnlab.widgets.training_changes import TrainingChangesApp

__all__ = [
    "DelayedFlipFlopApp",
    "MeanFieldApp",
    "NoiseApp",
    "ProjectionApp",
    "RandomRNNApp",
    "ToySystemApp",
    "TrainingApp",
    "TrainingChangesApp",
]
