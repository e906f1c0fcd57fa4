"""The mean-field app, driven headless: controls move the artists in place."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab.theory.meanfield import mean_field
from rnnlab.widgets.meanfield import MeanFieldApp


@pytest.fixture
def app():
    a = MeanFieldApp(N=100)
    yield a
    a.close()


def _count_draws(app):
    calls = []
    app.fig.canvas.draw_idle = lambda *a, **k: calls.append(1)
    return calls


def test_initial_state_is_the_course_example(app):
    mf = mean_field("tanh", 0.8, 1.0)
    x, _ = app.nyquist_mft.get_data()
    assert np.max(x) == pytest.approx(mf.dc_gain, rel=1e-3)  # the circle's far end is G_OL(0)
    assert app.pole.get_xdata()[0] == pytest.approx(mf.lambda_out, abs=1e-3)
    assert "stable" in app.table.value and "-0.584" in app.table.value
    assert len(app.eigs.get_offsets()) == 100


def test_sliders_move_artists_in_place(app):
    draws = _count_draws(app)
    lines = (app.nyquist_mft, app.nyquist_net, app.pole, app.sweep, app.eigs)
    before = [np.array(app.nyquist_mft.get_xdata()), np.array(app.eigs.get_offsets())]
    pole = app.pole.get_xdata()[0]
    app.g_slider.value = 0.5
    assert draws == [1]
    assert not np.allclose(app.nyquist_mft.get_xdata(), before[0])
    assert not np.allclose(app.eigs.get_offsets(), before[1])
    assert app.pole.get_xdata()[0] != pole
    assert (app.nyquist_mft, app.nyquist_net, app.pole, app.sweep, app.eigs) == lines
    sweep = np.array(app.sweep.get_ydata())
    app.A_slider.value = 0.5
    assert not np.allclose(app.sweep.get_ydata(), sweep, equal_nan=True)
    assert len(draws) == 2


def test_relu_threshold_makes_the_loop_unstable(app):
    assert app.threshold_slider.disabled
    app.update(phi="relu", threshold=0.3)
    assert not app.threshold_slider.disabled
    mf = mean_field("relu", 0.8, 1.0, threshold=0.3)
    assert app.pole.get_xdata()[0] == pytest.approx(mf.lambda_out, abs=1e-3)
    assert app.pole.get_xdata()[0] > 0
    assert "UNSTABLE" in app.table.value and "clockwise turns around +1: 1" in app.table.value
    app.threshold_slider.value = -0.3
    assert app.pole.get_xdata()[0] < 0 and "stable" in app.table.value


def test_no_fading_memory_is_shown_not_drawn(app):
    app.update(g=2.0)
    assert "no fading memory" in app.table.value
    assert len(app.nyquist_mft.get_xdata()) == 0
    assert len(app.eigs.get_offsets()) == 0
    app.update(g=0.8)
    assert len(app.nyquist_mft.get_xdata()) > 0


def test_static_fallback_has_the_figure(app):
    bundle = app._repr_mimebundle_()
    assert "data:image/png;base64" in bundle["text/html"]
    assert "lambda_out" in bundle["text/html"]


def test_no_figures_leak():
    n = len(plt.get_fignums())
    MeanFieldApp(N=60).close()
    assert len(plt.get_fignums()) == n


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(g=3.0), "g must be between"),
        (dict(A=0.0), "A must be between"),
        (dict(phi="sine"), "phi must be one of"),
        (dict(threshold=1.0), "threshold must be between"),
        (dict(N=10), "N must be between"),
        (dict(seed=-1), "seed"),
    ],
)
def test_constructor_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MeanFieldApp(**kwargs)


def test_update_rejects_bad_input(app):
    with pytest.raises(ValueError, match="update\\(\\) takes"):
        app.update(N=5)
    with pytest.raises(ValueError, match="g must be between"):
        app.update(g=5.0)
    with pytest.raises(ValueError, match="phi must be one of"):
        app.update(phi="sine")
