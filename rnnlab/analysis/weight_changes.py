r"""What training did to a weight matrix: statistics, low rank, non-normality, centrality, angles.

Each function compares a recurrent weight matrix before training, :math:`W_0`, with the
matrix after, :math:`W_1 = W_0 + \Delta W`, or follows :math:`W` over training. They serve
the four hypotheses of the "initial hypotheses" report (Amrut & Ankit 2021) checked in
chapter 09.

- :func:`weight_statistics`: mean, spread and size of the change over training.
- :func:`delta_singular_values`, :func:`truncate_change`, :func:`rank_truncation`,
  :func:`shuffle_offdiagonal`: how many directions of :math:`\Delta W` the task needs
  (Schuessler et al. 2020), with the shuffled-:math:`W_0` control.
- :func:`schur_departure`, :func:`departure_from_normality`: the non-normal part :math:`M`
  of the complex Schur form, :math:`\|M\|_2` (the report's measure) and Henrici's
  :math:`\|M\|_F`.
- :func:`eigenvector_centrality`: which units matter in the graph :math:`|W|`.
- :func:`principal_angles`, :func:`angle_to_vector`: how subspaces moved.
- :func:`pi_versus_slope`: predictive information as the leaky-ReLU slope goes from ReLU to
  linear.

References
----------
.. [1] F. Schuessler, F. Mastrogiuseppe, A. Dubreuil, S. Ostojic, O. Barak, "The interplay
   between randomness and structure during learning in RNNs", NeurIPS 2020.
.. [2] P. Henrici, "Bounds for iterates, inverses, spectral variation and fields of values
   of non-normal matrices", Numerische Mathematik 4, 1962.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import (
    as_matrix,
    as_vector,
    check_real,
    positive_float,
    positive_int,
)

__all__ = [
    "NonNormality",
    "RankTruncation",
    "SchurDeparture",
    "angle_to_vector",
    "delta_singular_values",
    "departure_from_normality",
    "eigenvector_centrality",
    "pi_versus_slope",
    "principal_angles",
    "rank_truncation",
    "schur_departure",
    "shuffle_offdiagonal",
    "truncate_change",
    "weight_statistics",
]


def _pair(W0, W1) -> tuple[np.ndarray, np.ndarray]:
    W0 = as_matrix(W0, "W0", square=True)
    W1 = as_matrix(W1, "W1", shape=W0.shape)
    return W0, W1


def weight_statistics(weights, *, offdiagonal: bool = True) -> dict[str, np.ndarray]:
    r"""Statistics of :math:`W` at every saved epoch.

    Parameters
    ----------
    weights : array_like, shape (n_epochs, N, N)
        :math:`W` over training; ``weights[0]`` is :math:`W_0`.
    offdiagonal : bool
        Use only the off-diagonal entries for the mean, std and fraction negative (the
        diagonal is held at 0 in the course's networks and would dilute them).

    Returns
    -------
    dict of ndarray, each shape (n_epochs,)
        ``mean``, ``std``, ``frac_negative``; ``delta_fro`` :math:`\|W - W_0\|_F`;
        ``relative_change`` :math:`\|W - W_0\|_F / \|W_0\|_F`; ``spectral_radius``
        :math:`\max|\lambda(W)|`.
    """
    Ws = np.asarray(weights)
    check_real(Ws, "weights")
    if Ws.ndim != 3 or Ws.shape[1] != Ws.shape[2]:
        raise ValueError(f"weights must have shape (n_epochs, N, N), got {Ws.shape}")
    Ws = Ws.astype(np.float64, copy=False)
    N = Ws.shape[1]
    mask = ~np.eye(N, dtype=bool) if offdiagonal else np.ones((N, N), dtype=bool)
    entries = Ws[:, mask]
    delta = np.linalg.norm((Ws - Ws[0]).reshape(len(Ws), -1), axis=1)
    return {
        "mean": entries.mean(axis=1),
        "std": entries.std(axis=1),
        "frac_negative": (entries < 0).mean(axis=1),
        "delta_fro": delta,
        "relative_change": delta / np.linalg.norm(Ws[0]),
        "spectral_radius": np.array([np.max(np.abs(np.linalg.eigvals(W))) for W in Ws]),
    }


def delta_singular_values(W0, W1) -> np.ndarray:
    r"""Singular values :math:`s_1 \ge s_2 \ge \dots` of :math:`\Delta W = W_1 - W_0`, shape ``(N,)``."""
    W0, W1 = _pair(W0, W1)
    return np.linalg.svd(W1 - W0, compute_uv=False)


def truncate_change(W0, W1, rank: int) -> np.ndarray:
    r""":math:`W_0 + \Delta W_r`, with :math:`\Delta W_r = \sum_{i \le r} s_i u_i v_i^\top` the best
    rank-:math:`r` approximation of :math:`\Delta W` (Eckart-Young). ``rank = 0`` gives :math:`W_0`.

    Returns
    -------
    ndarray, shape (N, N)
    """
    W0, W1 = _pair(W0, W1)
    if (
        isinstance(rank, bool)
        or not isinstance(rank, int | np.integer)
        or not 0 <= rank <= W0.shape[0]
    ):
        raise ValueError(f"rank must be an integer between 0 and N = {W0.shape[0]}, got {rank!r}")
    U, s, Vt = np.linalg.svd(W1 - W0)
    return W0 + (U[:, :rank] * s[:rank]) @ Vt[:rank]


def shuffle_offdiagonal(W, seed) -> np.ndarray:
    """``W`` with its off-diagonal entries randomly permuted; the diagonal stays in place.

    The control for :func:`rank_truncation`: the same entries (same statistics, same
    spectrum radius in law) but none of the structure the change was fitted to.
    """
    W = as_matrix(W, "W", square=True)
    if seed is None:
        raise ValueError("seed is required (an int or a numpy Generator)")
    rng = np.random.default_rng(seed)
    mask = ~np.eye(W.shape[0], dtype=bool)
    out = W.copy()
    out[mask] = rng.permutation(W[mask])
    return out


@dataclass
class RankTruncation:
    r"""Loss of :math:`W_{base} + \Delta W_r` for each rank :math:`r` (see :func:`rank_truncation`).

    Attributes
    ----------
    ranks : ndarray of int, shape (n_ranks,)
    losses : ndarray, shape (n_ranks,)
    rank0_loss : float
        Loss of :math:`W_{base}` itself (no change applied).
    threshold : float
        The fraction: success means loss < ``threshold * rank0_loss``.
    rank : int or None
        Smallest tested rank that succeeds; ``None`` if none does.
    """

    ranks: np.ndarray
    losses: np.ndarray
    rank0_loss: float
    threshold: float
    rank: int | None


def rank_truncation(
    W0,
    W1,
    loss: Callable[[np.ndarray], float],
    *,
    ranks: Iterable[int] | None = None,
    threshold: float = 0.05,
    base=None,
) -> RankTruncation:
    r"""Smallest rank :math:`r` of the change whose truncation still does the task.

    For each tested :math:`r`, evaluate ``loss`` at :math:`W_{base} + \Delta W_r` (see
    :func:`truncate_change`) with :math:`\Delta W = W_1 - W_0`; the answer is the smallest
    :math:`r` with loss :math:`<` ``threshold`` :math:`\times` loss(:math:`W_{base}`)
    (Schuessler et al. 2020). ``base`` defaults to :math:`W_0`; pass a shuffled
    :math:`W_0` (:func:`shuffle_offdiagonal`) for the control: if the change only works on
    the matrix it was trained on, the control fails at every rank.

    Parameters
    ----------
    W0, W1 : array_like, shape (N, N)
    loss : callable
        ``loss(W) -> float``, the task loss of the network with recurrent weights ``W``.
    ranks : iterable of int, optional
        Ranks to test (default ``0 .. min(N, 10)``), ascending.
    threshold : float
    base : array_like, shape (N, N), optional

    Returns
    -------
    RankTruncation
    """
    W0, W1 = _pair(W0, W1)
    threshold = positive_float(threshold, "threshold")
    if not callable(loss):
        raise TypeError("loss must be a callable loss(W) -> float")
    N = W0.shape[0]
    Wb = W0 if base is None else as_matrix(base, "base", shape=W0.shape)
    ranks = np.arange(0, min(N, 10) + 1) if ranks is None else np.asarray(list(ranks), dtype=int)
    if ranks.ndim != 1 or ranks.size == 0 or np.any(ranks < 0) or np.any(ranks > N):
        raise ValueError(f"ranks must be integers between 0 and N = {N}, got {ranks}")
    if np.any(np.diff(ranks) <= 0):
        raise ValueError("ranks must be strictly increasing")
    U, s, Vt = np.linalg.svd(W1 - W0)
    losses = np.array([float(loss(Wb + (U[:, :r] * s[:r]) @ Vt[:r])) for r in ranks])
    rank0 = float(loss(Wb)) if ranks[0] != 0 else float(losses[0])
    ok = np.nonzero(losses < threshold * rank0)[0]
    return RankTruncation(ranks, losses, rank0, threshold, int(ranks[ok[0]]) if ok.size else None)


@dataclass
class SchurDeparture:
    r"""The non-normal part :math:`M` of an ordered complex Schur form (see :func:`schur_departure`).

    Attributes
    ----------
    two_norm : float
        :math:`\|M\|_2`, the largest singular value of :math:`M` (the report's measure).
    fro : float
        :math:`\|M\|_F`, equal to Henrici's departure from normality :math:`d_F(W)`.
    M : ndarray of complex, shape (N, N)
        The strictly upper triangular part of the Schur form :math:`T`.
    eigenvalues : ndarray of complex, shape (N,)
        The diagonal of :math:`T`, in the order used.
    order : str
        ``"modulus"`` or ``"lapack"``.
    """

    two_norm: float
    fro: float
    M: np.ndarray
    eigenvalues: np.ndarray
    order: str


_SCHUR_ORDERS = ("modulus", "lapack")


def _sort_by_modulus(T: np.ndarray) -> np.ndarray:
    """Reorder an upper triangular Schur form so that :math:`|t_{kk}|` decreases.

    Ties (a complex-conjugate pair; equal to 9 significant digits of the largest modulus)
    put the positive imaginary part first, then the larger real part. Each move is a chain
    of unitary swaps of neighbouring diagonal entries (LAPACK ``ztrexc``).
    """
    T = np.asfortranarray(T, dtype=complex)
    n = T.shape[0]
    scale = float(np.max(np.abs(np.diag(T)))) or 1.0
    unused_q = np.zeros((n, n), dtype=complex, order="F")  # ztrexc wants it even unused
    for k in range(n - 1):
        lam = np.diag(T)[k:]
        first = np.lexsort((-lam.real, -lam.imag, -np.round(np.abs(lam) / scale, 9)))[0]
        if first:
            T, unused_q, info = scipy.linalg.lapack.ztrexc(
                T, unused_q, k + first + 1, k + 1, wantq=0, overwrite_a=1, overwrite_q=1
            )
            if info != 0:  # pragma: no cover - LAPACK reports a failed swap
                raise RuntimeError(f"reordering the Schur form failed (ztrexc info {info})")
    return T


@blas_limited
def schur_departure(W, *, order: str = "modulus") -> SchurDeparture:
    r"""The non-normal part of the complex Schur form of :math:`W`, and its two norms.

    The complex Schur form writes a real :math:`W` as

    .. math::

        W = Q\,T\,Q^*, \qquad T = \Lambda + M,

    with :math:`Q` unitary, :math:`\Lambda = \operatorname{diag}(\lambda_1, \dots, \lambda_N)`
    the eigenvalues and :math:`M` strictly upper triangular. :math:`W` is normal
    (:math:`W W^\top = W^\top W`, orthogonal eigenvectors) exactly when :math:`M = 0`.
    Two sizes of :math:`M` are returned:

    .. math::

        \|M\|_F = \Big(\sum_{i<j} |m_{ij}|^2\Big)^{1/2}
                = \sqrt{\|W\|_F^2 - \textstyle\sum_i |\lambda_i|^2} = d_F(W),
        \qquad
        \|M\|_2 = \max_{\|v\| = 1} \|M v\| .

    The first is Henrici's departure from normality :math:`d_F(W)` [2]_: the Frobenius
    norm is unitarily invariant, so :math:`\|W\|_F^2 = \|T\|_F^2 = \sum_i|\lambda_i|^2 +
    \|M\|_F^2`. It is a function of :math:`W` alone, and what chapter 09 calls "Henrici's
    :math:`\|M\|_F`" and computes from the eigenvalues (:func:`departure_from_normality`).
    The second, the largest singular value of :math:`M`, is the report's measure [1]_ ("the
    2-norm of the upper triangular matrix in the decomposition, minus diagonal elements").

    :math:`\|M\|_2` needs an order. The Schur form is unique only once the order of the
    eigenvalues along the diagonal is fixed (then, for distinct eigenvalues, only up to
    :math:`T \to D^* T D` with :math:`D` diagonal unitary, which keeps every norm of
    :math:`M`); another order gives another :math:`M` with the same :math:`\|M\|_F` but,
    in general, another :math:`\|M\|_2`. ``order="modulus"`` sorts the eigenvalues by
    decreasing :math:`|\lambda|` (of a conjugate pair, positive imaginary part first), which
    makes :math:`\|M\|_2` (for distinct eigenvalues) a function of :math:`W`, invariant under
    :math:`W \to V W V^\top`, :math:`V` orthogonal; ``"lapack"`` keeps the order the
    QR algorithm happens to deliver.

    Parameters
    ----------
    W : array_like, shape (N, N)
        A real square matrix.
    order : {"modulus", "lapack"}
        The order of the eigenvalues on the Schur diagonal.

    Returns
    -------
    SchurDeparture

    Notes
    -----
    ``scipy.linalg.schur`` returns the *real* Schur form by default, in which a complex
    pair sits in a :math:`2 \times 2` block; the strictly upper part of that form keeps one
    off-diagonal entry of every block, so it is not zero even for a normal matrix (a
    rotation). The complex form is computed here from the real one (``rsf2csf``), which
    is about twice as fast as a complex QR algorithm.

    References
    ----------
    .. [1] Amrut, Ankit, "RNN initial hypotheses" (report, 2021), section 5.2.
    .. [2] P. Henrici, "Bounds for iterates, inverses, spectral variation and fields of
       values of non-normal matrices", Numerische Mathematik 4, 1962.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlab.analysis.weight_changes import schur_departure
    >>> d = schur_departure([[1.0, 2.0], [0.0, 3.0]])
    >>> round(d.two_norm, 12), round(d.fro, 12)
    (2.0, 2.0)
    """
    W = as_matrix(W, "W", square=True)
    if order not in _SCHUR_ORDERS:
        raise ValueError(f"order must be one of {_SCHUR_ORDERS}, got {order!r}")
    T, Z = scipy.linalg.schur(W, output="real")
    T, _ = scipy.linalg.rsf2csf(T, Z)
    if order == "modulus":
        T = _sort_by_modulus(T)
    M = np.triu(T, 1)
    return SchurDeparture(
        two_norm=float(np.linalg.norm(M, 2)),
        fro=float(np.linalg.norm(M)),
        M=M,
        eigenvalues=np.diag(T).copy(),
        order=order,
    )


@dataclass
class NonNormality:
    r"""Departure from normality of a matrix (see :func:`departure_from_normality`).

    Attributes
    ----------
    henrici : float
        :math:`d_F(W) = \sqrt{\|W\|_F^2 - \sum_i |\lambda_i|^2}`, from the eigenvalues.
    strict_upper_fro : float
        :math:`\|M\|_F` from the Schur form (:func:`schur_departure`): equal to ``henrici``
        up to round-off, computed the second way as a check.
    strict_upper_2norm : float
        :math:`\|M\|_2`, eigenvalues ordered by decreasing modulus (:func:`schur_departure`).
    relative : float
        ``henrici`` / :math:`\|W\|_F`: 0 for a normal matrix, 1 for a nilpotent one.
    """

    henrici: float
    strict_upper_fro: float
    strict_upper_2norm: float
    relative: float


def departure_from_normality(W) -> NonNormality:
    r"""Henrici's departure from normality, from the eigenvalues, with the Schur norms beside it.

    .. math::

        d_F(W) = \sqrt{\|W\|_F^2 - \textstyle\sum_i |\lambda_i|^2} = \|M\|_F ,

    :math:`M` the strictly upper part of the complex Schur form :math:`W = Q(\Lambda + M)Q^*`
    (see :func:`schur_departure`, which also explains :math:`\|M\|_2`).

    Parameters
    ----------
    W : array_like, shape (N, N)

    Returns
    -------
    NonNormality
    """
    W = as_matrix(W, "W", square=True)
    sd = schur_departure(W)
    fro2 = float(np.sum(W * W))
    henrici = float(np.sqrt(max(fro2 - float(np.sum(np.abs(sd.eigenvalues) ** 2)), 0.0)))
    return NonNormality(
        henrici=henrici,
        strict_upper_fro=sd.fro,
        strict_upper_2norm=sd.two_norm,
        relative=henrici / np.sqrt(fro2) if fro2 > 0 else 0.0,
    )


def eigenvector_centrality(W, *, tol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
    r"""Eigenvector centrality of the units in the weighted directed graph :math:`A = |W|`.

    :math:`W_{ij}` is the connection from unit :math:`j` to unit :math:`i`, so a unit is
    central when strong connections come *in* from central units:

    .. math::

        \lambda c_i = \sum_j |W_{ij}|\, c_j, \qquad c = \text{Perron vector of } |W|,
        \quad c \ge 0,\ \textstyle\sum_i c_i = 1 .

    Computed by power iteration on :math:`\tfrac12(I + A)` (same Perron vector, no
    oscillation on periodic graphs) until the change is below ``tol``.

    Parameters
    ----------
    W : array_like, shape (N, N)

    Returns
    -------
    ndarray, shape (N,)
        Non-negative, summing to 1.
    """
    A = np.abs(as_matrix(W, "W", square=True))
    if not np.any(A):
        raise ValueError("W is all zeros: no graph to rank")
    c = np.full(A.shape[0], 1.0 / A.shape[0])
    scale = np.max(A.sum(axis=1))
    M = 0.5 * (np.eye(A.shape[0]) + A / scale)
    for _ in range(positive_int(max_iter, "max_iter")):
        new = M @ c
        new /= new.sum()
        if np.max(np.abs(new - c)) < tol:
            return new
        c = new
    raise RuntimeError(f"eigenvector centrality did not converge in {max_iter} iterations")


def _basis(A, name: str) -> np.ndarray:
    A = np.asarray(A)
    if A.ndim == 1:
        A = A[:, None]
    A = as_matrix(A, name)
    if A.shape[1] > A.shape[0]:
        raise ValueError(
            f"{name} must have shape (N, k) with k <= N (basis vectors as columns), got {A.shape}"
        )
    return A


def principal_angles(A, B, *, degrees: bool = True) -> np.ndarray:
    r"""Principal angles between :math:`\operatorname{span} A` and :math:`\operatorname{span} B`,
    largest first (``scipy.linalg.subspace_angles``).

    With orthonormal bases :math:`Q_A, Q_B`, :math:`\cos\theta_i = \sigma_i(Q_A^\top Q_B)`:
    0 for a shared direction, 90° for orthogonal ones. Shapes ``(N, k_A)``, ``(N, k_B)``
    (basis vectors as *columns*: pass ``pca.components_.T``); :math:`\min(k_A, k_B)` angles.
    """
    A = _basis(A, "A")
    B = _basis(B, "B")
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"A and B must live in the same space, got {A.shape[0]} and {B.shape[0]} rows"
        )
    theta = scipy.linalg.subspace_angles(A, B)
    return np.degrees(theta) if degrees else theta


def angle_to_vector(A, w, *, degrees: bool = True) -> float:
    r"""Angle between the vector :math:`w` (e.g. the readout) and the subspace :math:`\operatorname{span} A`.

    :math:`\cos\theta = \|P_A w\| / \|w\|`, :math:`P_A` the orthogonal projector: 90° when
    the readout cannot see the subspace at all.
    """
    A = _basis(A, "A")
    w = as_vector(w, "w", size=A.shape[0])
    return float(principal_angles(A, w, degrees=degrees)[0])


def pi_versus_slope(
    states_for_slope: Callable[[float], np.ndarray],
    slopes,
    *,
    d: int,
    T: int = 5,
    n_init: int = 3,
    seed=0,
    n_pcs: int | None = None,
) -> np.ndarray:
    r"""Maximal predictive information (DCA) of a network's states as its leaky-ReLU slope varies.

    The report's experiment: replace :math:`\mathrm{relu}` by
    :math:`f_a(x) = \max(x, a x)` with slope :math:`a = \tan\theta` from 0 (ReLU) to 1
    (linear), simulate, and find the best :math:`d`-dimensional DCA subspace. Predictive
    information measures how well a *linear Gaussian* model predicts the future from the
    past, so a network whose PI grows more as it is made linear was using the nonlinearity.

    Parameters
    ----------
    states_for_slope : callable
        ``states_for_slope(a) -> ndarray`` of shape ``(n_trials, n_time, N)`` or
        ``(n_time, N)``: the simulated states at slope ``a``.
    slopes : array_like, shape (n_slopes,)
        Values of :math:`a` in [0, 1].
    d, T, n_init, seed
        Passed to :class:`rnnlab.analysis.dca.DCA`.
    n_pcs : int, optional
        Reduce the states to their first ``n_pcs`` principal components first (ReLU units
        that never fire have no variance, which makes the full covariance singular).

    Returns
    -------
    ndarray, shape (n_slopes,)
        The maximal predictive information (nats) at each slope.
    """
    from rnnlab.analysis.dca import DCA

    slopes = as_vector(slopes, "slopes")
    if np.any(slopes < 0) or np.any(slopes > 1):
        raise ValueError(f"slopes must lie in [0, 1] (0 = ReLU, 1 = linear), got {slopes}")
    out = np.empty(slopes.size)
    for i, a in enumerate(slopes):
        X = states_for_slope(float(a))
        out[i] = DCA(d, T, n_init=n_init, seed=seed, n_pcs=n_pcs).fit(X).pi_
    return out
