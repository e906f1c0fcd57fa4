r"""Transfer: start an (n+m)-bit echo state network from a trained n-bit one (Jang §7.1).

The trained n-bit network keeps everything it learned; the m new channels get fresh
weights and a readout that starts at zero:

.. math::

    W_r' = W_r, \qquad
    W_{fb}' = \begin{pmatrix} W_{fb} & W_{fb}^{new} \end{pmatrix}, \qquad
    B' = \begin{pmatrix} B & B^{new} \end{pmatrix}, \qquad
    W_o' = \begin{pmatrix} W_o \\ 0 \end{pmatrix}, \qquad x_0' = x_0,

with :math:`W_{fb}^{new}, B^{new} \sim U(-1, 1)` of shape :math:`(N, m)`, drawn from
``seed``. Retraining then continues FORCE from :math:`W_o'` with the inverse correlation
estimate re-initialised, :math:`P_0 = I/\alpha` (:func:`continue_force`, i.e.
:func:`rnnlab.train_force` with ``W_o0``): the old rows are
free to change, the new ones start from nothing.

A transferred network cannot be regenerated from one ESN seed (its new columns come from
another generator), so :class:`TransferredESN` saves the *source* configuration, the
transfer seed and the readout, and :meth:`TransferredESN.load` rebuilds it from those.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §7.1
   (4-bit flip-flop initialised from a 3-bit one).
.. [2] D. Sussillo and L. F. Abbott, "Generating coherent patterns of activity from
   chaotic neural networks", Neuron 63 (2009) (FORCE).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab._internal.validation import positive_int
from rnnlab.models.esn import ESN, weights_checksum
from rnnlab.models.force import ForceHistory, train_force

__all__ = ["TransferredESN", "continue_force", "transfer"]

_CONFIG_KEYS = ("N", "n_in", "n_out", "g", "dt_over_tau", "phi", "seed")


class TransferredESN(ESN):
    """An ESN whose first channels come from a trained network (made by :func:`transfer`).

    Behaves as an :class:`~rnnlab.ESN` everywhere (training, census, evaluation).

    Attributes
    ----------
    source_config : dict
        :meth:`ESN.config` of the network transferred from.
    transfer_seed : int
        Seed of the new columns of :math:`W_{fb}` and :math:`B`.
    new_bits : int
        Channels added.
    """

    source_config: dict
    transfer_seed: int
    new_bits: int

    def save(self, path: str | Path) -> None:
        """Save the source configuration, the transfer seed and the readout (``.npz``).

        The matrices are rebuilt on :meth:`load` from the source seed and the transfer
        seed; a SHA-256 of :math:`W_{fb}` and :math:`B` guards against a numpy that draws
        differently. :meth:`ESN.load` refuses this file (it lacks the plain ESN keys).
        """
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                W_o=self.W_o,
                transfer_seed=np.asarray(self.transfer_seed),
                new_bits=np.asarray(self.new_bits),
                checksum=weights_checksum(np.hstack([self.W_r, self.W_fb, self.B])),
                **{f"source_{k}": np.asarray(v) for k, v in self.source_config.items()},
            )

    @classmethod
    def load(cls, path: str | Path) -> TransferredESN:
        """Load a network written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            if "transfer_seed" not in data:
                raise ValueError(f"{path} is not a transferred network (use rnnlab.ESN.load)")
            cfg = {k: data[f"source_{k}"].item() for k in _CONFIG_KEYS}
            source = ESN(cfg.pop("N"), cfg.pop("n_in"), cfg.pop("n_out"), **cfg)
            esn = transfer(source, new_bits=int(data["new_bits"]), seed=int(data["transfer_seed"]))
            if weights_checksum(np.hstack([esn.W_r, esn.W_fb, esn.B])) != str(data["checksum"]):
                raise RuntimeError(
                    f"{path}: the weights regenerated from the seeds differ from the saved ones "
                    "(a different numpy random generator?)"
                )
            esn.set_readout(data["W_o"])
        return esn

    def __repr__(self) -> str:
        return (
            super().__repr__()[:-1]
            + f", transferred from {self.source_config['n_out']} bits, seed {self.transfer_seed})"
        )


def transfer(esn: ESN, *, new_bits: int = 1, seed: int) -> TransferredESN:
    """An (n + ``new_bits``)-bit network that starts as the trained n-bit ``esn``.

    Parameters
    ----------
    esn : ESN
        The trained network (unchanged).
    new_bits : int
        Input and output channels to add.
    seed : int
        Draws the new columns of :math:`W_{fb}` and :math:`B`, :math:`U(-1, 1)`.

    Returns
    -------
    TransferredESN
        Same :math:`W_r`, :math:`x_0`, gain and time step; :math:`W_{fb}` and :math:`B`
        with ``new_bits`` columns appended (shapes ``(N, n_out + new_bits)`` and
        ``(N, n_in + new_bits)``); :math:`W_o` with ``new_bits`` zero rows appended.

    Examples
    --------
    >>> import rnnlab
    >>> small = rnnlab.ESN(50, 3, 3, g=0.6, seed=0)
    >>> big = transfer(small, seed=1)
    >>> big.W_fb.shape, big.B.shape, big.W_o.shape
    ((50, 4), (50, 4), (4, 50))
    >>> bool(np.array_equal(big.W_fb[:, :3], small.W_fb))
    True
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    new_bits = positive_int(new_bits, "new_bits")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"seed must be an integer (the new weights are regenerated from it), got {seed!r}"
        )
    N = esn.N
    rng = np.random.default_rng(int(seed))
    W_fb_new = rng.uniform(-1.0, 1.0, size=(N, new_bits))
    B_new = rng.uniform(-1.0, 1.0, size=(N, new_bits))

    # Build the object without drawing a reservoir, then copy the source's arrays.
    out = TransferredESN.__new__(TransferredESN)
    out.N = N
    out.n_in = esn.n_in + new_bits
    out.n_out = esn.n_out + new_bits
    out.g = esn.g
    out.dt_over_tau = esn.dt_over_tau
    out.phi = esn.phi
    out.seed = esn.seed
    out.W_r = esn.W_r.copy()
    out.W_fb = np.hstack([esn.W_fb, W_fb_new])
    out.B = np.hstack([esn.B, B_new])
    out.x0 = esn.x0.copy()
    out.W_o = np.vstack([esn.W_o, np.zeros((new_bits, N))])
    out.source_config = esn.config()
    out.transfer_seed = int(seed)
    out.new_bits = new_bits
    return out


def continue_force(
    esn: ESN,
    inputs,
    targets,
    *,
    alpha: float = 1.0,
    update_every: int = 2,
    snapshot_every: int = 100,
    x0=None,
    progress: bool = False,
) -> ForceHistory:
    """FORCE training that starts from the network's current readout, with :math:`P_0 = I/\\alpha`.

    :func:`rnnlab.train_force` with ``W_o0=esn.W_o``: the same recursive least squares (see
    :mod:`rnnlab.models.force`), except that :math:`W_o` starts at the network's readout instead of
    zero. From a zero readout the two agree exactly.

    Parameters
    ----------
    esn : ESN
        E.g. from :func:`transfer`; its readout is replaced by the trained one.
    inputs : array_like, shape (T, n_in)
    targets : array_like, shape (T, n_out)
    alpha, update_every, snapshot_every, x0, progress
        As in :func:`rnnlab.train_force`.

    Returns
    -------
    ForceHistory
        The first snapshot is the starting readout.
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    return train_force(
        esn,
        inputs,
        targets,
        alpha=alpha,
        update_every=update_every,
        snapshot_every=snapshot_every,
        x0=x0,
        W_o0=esn.W_o,
        progress=progress,
    )
