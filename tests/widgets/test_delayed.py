"""The delayed flip-flop app, driven headless: sliders move the artists in place."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from rnnlab.analysis.spectra import spectrum_summary
from rnnlab.models.bptt import TanhRNN
from rnnlab.widgets.delayed import DelayedFlipFlopApp


def _net(delay, seed):
    net = TanhRNN(20, seed=seed)
    net.params["W"] *= 3 + delay  # different spectra, so a delay change is visible
    net.info = {"delay": delay, "pulse_rate": 0.05, "pulse_length": 3}
    return net


@pytest.fixture
def app():
    a = DelayedFlipFlopApp({0: _net(0, 0), 4: _net(4, 1)}, n_steps=20_000, pre=3, post=10, quiet=3)
    yield a
    a.close()


def test_spectrum_summary_counts_real_and_complex_outliers():
    c, s = 1.5 * np.cos(1.0), 1.5 * np.sin(1.0)
    W = np.zeros((5, 5))
    W[0, 0], W[1, 1], W[4, 4] = 2.0, -1.2, 0.5
    W[2:4, 2:4] = [[c, -s], [s, c]]
    out = spectrum_summary(W)
    assert out["n_real_outside"] == 2 and out["n_pairs_outside"] == 1
    np.testing.assert_allclose(out["phases_deg"], [np.degrees(1.0)])


def test_starts_at_the_largest_delay_and_reports(app):
    assert app.delay_slider.value == 4 and app.lag_slider.value == 0
    assert "delay Δ = 4" in app.title.get_text()
    assert "bit accuracy" in app.table.value
    assert app.averages[0].lags[0] == -3 and app.averages[0].lags[-1] == 10
    assert "<img" in app.static_html()


def test_lag_slider_moves_the_dot_and_the_lines_only(app):
    calls = []
    app.fig.canvas.draw_idle = lambda *a, **k: calls.append(1)
    path_before = np.asarray(app.path_line.get_xydata()).copy()
    app.lag_slider.value = 5
    P = app.averages[4].projection
    i = int(np.flatnonzero(app.averages[4].lags == 5)[0])
    np.testing.assert_allclose(np.ravel(app.now_dot.get_xydata()), P[i, :2])
    assert list(app.out_now.get_xdata()) == [5, 5]
    np.testing.assert_array_equal(app.path_line.get_xydata(), path_before)
    assert calls == [1]


def test_delay_slider_swaps_the_network(app):
    old_offsets = app.spectrum.points.get_offsets().copy()
    app.update(delay=0, lag=2)
    assert "delay Δ = 0" in app.title.get_text() and "τ = 2" in app.title.get_text()
    P = app.averages[0].projection
    np.testing.assert_allclose(app.path_line.get_xydata(), P[:, :2])
    assert not np.array_equal(app.spectrum.points.get_offsets(), old_offsets)
    lam = np.linalg.eigvals(app.networks[0].W)
    np.testing.assert_allclose(
        np.sort_complex(app.spectrum.points.get_offsets() @ [1, 1j]), np.sort_complex(lam)
    )


def test_errors():
    with pytest.raises(TypeError, match="non-empty dict"):
        DelayedFlipFlopApp({})
    with pytest.raises(TypeError, match=r"networks\[0\] must be a TanhRNN"):
        DelayedFlipFlopApp({0: object()})
    with pytest.raises(ValueError, match="delay must be one of"):
        DelayedFlipFlopApp({0: _net(0, 0)}, delay=3)
    bare = TanhRNN(10, seed=0)
    with pytest.raises(ValueError, match="no pulse_rate"):
        DelayedFlipFlopApp({0: bare})


def test_update_rejects_unknown_values(app):
    with pytest.raises(ValueError, match="delay must be one of"):
        app.update(delay=3)
    with pytest.raises(ValueError, match="lag must be between -3 and 10"):
        app.update(lag=50)
