"""Chapter 07's figures: a trained reservoir against its mean-field theory.

:func:`plot_figure_row` draws one row of Rivkind and Barak's Figure 1 for one trained network
(:class:`rnnlab.theory.trained_reservoir.TrainedReservoir`) and its theory
(:class:`rnnlab.theory.meanfield.MeanField` or :class:`rnnlab.theory.meanfield_targets.MultiTargetMeanField`):
the closed-loop spectrum with the predicted bulk and output poles, the response to a kick, and
the Nyquist curve :math:`G_{OL}(\\omega)` with the critical point :math:`+1`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NYQUIST_OMEGA", "plot_figure_row"]

#: Frequencies of the Nyquist curve: both signs, log-spaced from 1e-3 to 1e2.
NYQUIST_OMEGA = np.concatenate([-np.logspace(2, -3, 1500), np.logspace(-3, 2, 1500)])


def _theory_rho(mf, n: int) -> float:
    return float(mf.rho(n) if callable(mf.rho) else mf.rho)


def _theory_gain(mf, omega, n: int) -> np.ndarray:
    # MeanField.G_OL(omega) has one target; MultiTargetMeanField.G_OL(omega, n) has several.
    return mf.G_OL(omega) if hasattr(mf, "lambda_out") else mf.G_OL(omega, n)


def plot_figure_row(
    axes,
    net,
    mf,
    title: str,
    *,
    n: int = 0,
    duration: float = 25.0,
    poles=None,
    omega=None,
    n_units: int = 10,
):
    """Draw one row of Figure 1: spectrum, kick response, Nyquist curve.

    Parameters
    ----------
    axes : sequence of three matplotlib Axes
        Spectrum, kick response, Nyquist picture, in this order.
    net : TrainedReservoir
        The trained network.
    mf : MeanField or MultiTargetMeanField
        Its theory (same ``phi``, ``g`` and targets).
    title : str
        Written on the spectrum panel.
    n : int
        Which target the network sits at.
    duration : float
        Length of the kick response, in units of the time constant.
    poles : array_like of complex, optional
        The predicted output poles; default ``[mf.lambda_out]`` (one target).
    omega : array_like, optional
        Frequencies of the Nyquist curve; default :data:`NYQUIST_OMEGA`.
    n_units : int
        How many units' responses to draw (thin lines).

    Returns
    -------
    G_net, G_mft : ndarray of complex
        :math:`G_{OL}(\\omega)` of the network and of the theory at ``omega``.
    kick : tuple (t, dz, dx)
        The kick response (:meth:`TrainedReservoir.kick_response`, ``eps = 1e-4``,
        ``dt = 0.05``): times, output and units, each divided by the kick size.
    """
    if len(axes) != 3:
        raise ValueError(f"axes must hold three Axes (spectrum, kick, Nyquist), got {len(axes)}")
    if duration <= 0:
        raise ValueError(f"duration must be positive, got {duration}")
    ax_s, ax_k, ax_n = axes
    omega = NYQUIST_OMEGA if omega is None else np.asarray(omega, dtype=float)

    lam = net.closed_loop_eigenvalues(n)
    ax_s.scatter(lam.real, lam.imag, s=3, color="C0", label="network", zorder=3)
    angle = np.linspace(0, 2 * np.pi, 200)
    rho = _theory_rho(mf, n)
    ax_s.plot(
        -1 + rho * np.cos(angle), rho * np.sin(angle), color="C3", lw=1.5, label="mean-field bulk"
    )
    poles = [mf.lambda_out] if poles is None else poles
    ax_s.plot(
        np.real(poles), np.imag(poles), "x", color="C3", ms=9, mew=2.5, label="output pole (MFT)"
    )
    ax_s.axvline(0, color="k", lw=0.8)
    ax_s.set_aspect("equal", adjustable="datalim")
    ax_s.set_title(title, fontsize="medium", loc="left")
    ax_s.set_xlabel(r"Re $\lambda$")
    ax_s.set_ylabel(r"Im $\lambda$")

    t, dz, dx = net.kick_response(n, eps=1e-4, duration=duration, dt=0.05)
    ax_k.plot(t, dx[:, :n_units], lw=0.7, alpha=0.8)
    ax_k.plot(t, dz, color="k", lw=2.5, label="output")
    ax_k.axhline(0, color="0.6", lw=0.8)
    ax_k.set_xlabel("time after the kick")
    ax_k.set_ylabel("response / kick size")

    G_net = net.G_OL(omega, n)
    G_mft = _theory_gain(mf, omega, n)
    ax_n.plot(G_net.real, G_net.imag, color="C0", lw=1, label="network")
    ax_n.plot(G_mft.real, G_mft.imag, color="C3", lw=1.5, ls="--", label="mean field")
    ax_n.plot([1], [0], "k+", ms=14, mew=2)
    ax_n.axhline(0, color="0.8", lw=0.8)
    ax_n.axvline(0, color="0.8", lw=0.8)
    ax_n.set_xlabel(r"Re $G_{OL}$")
    ax_n.set_ylabel(r"Im $G_{OL}$")
    return G_net, G_mft, (t, dz, dx)
