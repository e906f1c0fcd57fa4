"""An ESN whose closed loop is exactly the ideal n-bit cube (shared by the census tests)."""

import numpy as np

import rnnlab


def cube_esn(n_bits=3, per_bit=8, gain=3.0, g=0.0, seed=0):
    """An ESN whose closed loop holds each bit in its own group of units.

    Group b feeds back its mean rate: z_b = tanh(gain z_b) at a fixed point, with the stable
    solutions +-z* and the unstable 0 for each bit independently: exactly the ideal cube,
    3^n points, k zero bits <-> k unstable dimensions.
    """
    N = n_bits * per_bit
    esn = rnnlab.ESN(N, n_in=n_bits, n_out=n_bits, g=g, seed=seed)
    group = np.repeat(np.arange(n_bits), per_bit)
    esn.W_fb = np.zeros((N, n_bits))
    esn.W_fb[np.arange(N), group] = gain
    W_o = np.zeros((n_bits, N))
    W_o[group, np.arange(N)] = 1.0 / per_bit
    esn.set_readout(W_o)
    return esn
