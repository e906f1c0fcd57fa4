r"""The spectrum of a map's weight matrix against the unit circle.

For a discrete-time network :math:`h_{t+1} = \\tanh(W h_t + \\dots)` linearised at the origin,
an eigenvalue :math:`\\lambda` of :math:`W` with :math:`|\\lambda| > 1` is a growing mode: a real
one grows along a line, a complex pair :math:`|\\lambda| e^{\\pm i\\theta}` rotates by
:math:`\\theta` per step while it grows (chapter 08).
"""

from __future__ import annotations

import numpy as np

__all__ = ["spectrum_summary"]


def spectrum_summary(W) -> dict:
    """Eigenvalues of ``W`` outside the unit circle: how many real, how many complex pairs.

    Returns
    -------
    dict
        ``eigenvalues`` (all, complex), ``n_real_outside``, ``n_pairs_outside`` and
        ``phases_deg`` (the angles in degrees of the outside eigenvalues with Im > 0).
    """
    lam = np.linalg.eigvals(np.asarray(W, dtype=float))
    out = lam[np.abs(lam) > 1]
    real = np.abs(out.imag) < 1e-12
    upper = out[out.imag > 1e-12]
    return {
        "eigenvalues": lam,
        "n_real_outside": int(real.sum()),
        "n_pairs_outside": len(upper),
        "phases_deg": np.sort(np.degrees(np.angle(upper))),
    }
