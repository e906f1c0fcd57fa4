"""Chapter 07's figure rows (rnnlab.plotting.meanfield_plots): what they draw, checked on the artists."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab.plotting.meanfield_plots import NYQUIST_OMEGA, plot_figure_row
from rnnlab.theory.meanfield import mean_field
from rnnlab.theory.meanfield_targets import mean_field_targets
from rnnlab.theory.open_loop import random_reservoir, train_open_loop


@pytest.fixture(scope="module")
def relu():
    net = train_open_loop(*random_reservoir(120, 0.8, seed=0), 1.0, "relu", threshold=0.5)
    return net, mean_field("relu", 0.8, 1.0, threshold=0.5)


def test_row_draws_spectrum_kick_and_nyquist(relu):
    net, mf = relu
    _fig, axes = plt.subplots(1, 3)
    omega = np.linspace(-3, 3, 61)
    G_net, G_mft, (t, dz, _dx) = plot_figure_row(axes, net, mf, "C", duration=2.0, omega=omega)
    ax_s, ax_k, ax_n = axes
    # spectrum: the N closed-loop eigenvalues, the bulk circle of radius rho about -1, the pole
    offsets = ax_s.collections[0].get_offsets()
    assert offsets.shape == (net.N, 2)
    bulk = ax_s.lines[0].get_xydata()
    assert np.allclose(np.hypot(bulk[:, 0] + 1, bulk[:, 1]), mf.rho)
    assert np.allclose(ax_s.lines[1].get_xydata(), [[mf.lambda_out, 0.0]])
    assert ax_s.get_title(loc="left") == "C"
    # kick: ten units and the output, which starts at the kick's readout
    assert len(ax_k.lines) == 10 + 1 + 1
    assert np.allclose(ax_k.lines[10].get_ydata(), dz)
    assert t[-1] == pytest.approx(2.0)
    # Nyquist: the two curves are the returned gains, and the cross sits at +1
    assert np.allclose(G_net, net.G_OL(omega))
    assert np.allclose(G_mft, mf.G_OL(omega))
    assert np.allclose(ax_n.lines[0].get_xdata(), G_net.real)
    assert np.allclose(ax_n.lines[1].get_ydata(), G_mft.imag)
    assert np.allclose(ax_n.lines[2].get_xydata(), [[1.0, 0.0]])


def test_row_with_several_targets_uses_the_given_poles():
    targets = [0.5, 1.0, 1.5]
    net = train_open_loop(*random_reservoir(120, 0.9, seed=0), targets)
    mt = mean_field_targets("tanh", 0.9, targets, n_nodes=15)
    _fig, axes = plt.subplots(1, 3)
    poles = mt.output_poles(2)
    G_net, G_mft, _ = plot_figure_row(axes, net, mt, "D", n=2, duration=1.0, poles=poles)
    assert np.allclose(axes[0].lines[1].get_xdata(), poles.real)
    assert np.allclose(G_mft, mt.G_OL(NYQUIST_OMEGA, 2))
    assert np.allclose(G_net, net.G_OL(NYQUIST_OMEGA, 2))
    bulk = axes[0].lines[0].get_xydata()
    assert np.allclose(np.hypot(bulk[:, 0] + 1, bulk[:, 1]), mt.rho(2))


def test_bad_arguments_are_named(relu):
    net, mf = relu
    _fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="axes"):
        plot_figure_row(axes, net, mf, "x")
    _fig, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="duration"):
        plot_figure_row(axes, net, mf, "x", duration=0.0)
