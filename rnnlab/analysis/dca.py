r"""Dynamical Components Analysis: the most predictable low-dimensional view of a time series.

PCA keeps the directions along which the states *vary* most. DCA (Clark, Livezey &
Bouchard 2019) keeps the directions along which the past best *predicts* the future. For a
projection :math:`y_t = V^\top x_t` onto :math:`d` dimensions, treat the data as stationary
and Gaussian, and stack :math:`T` consecutive projected states into a past window
:math:`P = (y_{t-T+1}, \dots, y_t)` and the next :math:`T` into a future window
:math:`F = (y_{t+1}, \dots, y_{t+T})`. Their mutual information, the *predictive
information*, is (in nats)

.. math::

    I(P; F) = H(P) + H(F) - H(P, F)
            = \log\det \Sigma_T(V) - \tfrac12 \log\det \Sigma_{2T}(V),

where :math:`\Sigma_k(V)` is the covariance of :math:`k` stacked projected states: the block
Toeplitz matrix whose block :math:`(i, j)` is :math:`V^\top C_{j-i} V`, built from the
lagged cross-covariances of the data

.. math::

    C_\ell = \operatorname{Cov}(x_t, x_{t+\ell}), \qquad C_{-\ell} = C_\ell^\top,
    \qquad \ell = 0, \dots, 2T - 1 .

**Only the subspace matters.** For an invertible :math:`d \times d` matrix :math:`A`,
:math:`\Sigma_k(VA) = (I_k \otimes A)^\top \Sigma_k(V) (I_k \otimes A)`, so
:math:`\log\det\Sigma_k` shifts by :math:`2k\log|\det A|`: by :math:`2T\log|\det A|` for the
first term and by :math:`\tfrac12 \cdot 4T\log|\det A|` for the second, which cancel,
:math:`I(VA) = I(V)`. We therefore optimise an unconstrained :math:`V` but always evaluate
at its orthonormal factor :math:`Q` (:math:`V = QR`, the QR decomposition), which keeps the
matrices well conditioned.

**Gradient.** With :math:`M_k = I_k \otimes V` and :math:`A_k = M_k^\top \Sigma_k M_k`,
:math:`\partial_V \log\det A_k = 2 \sum_t [\Sigma_k M_k A_k^{-1}]_{tt}` (diagonal blocks).
Grouping the blocks by lag, with :math:`B = A_k^{-1}` and
:math:`S_\ell = \sum_t B_{t+\ell,\, t}` (sums of :math:`d \times d` blocks along a block
diagonal),

.. math::

    \partial_V \log\det A_k
    = 2 \Big( \sum_{\ell \ge 0} C_\ell V S_\ell + \sum_{\ell > 0} C_\ell^\top V S_{-\ell} \Big).

By the invariance above, the gradient with respect to the raw :math:`V = QR` is the
gradient at :math:`Q` times :math:`R^{-\top}`. L-BFGS (scipy) maximises :math:`I` from
several seeded random starts; the best is kept, and all of them are reported, so one can
ask whether the optimum is unique (it is a non-convex problem).

The returned basis of the best subspace is rotated to its principal axes (ordered by
projected variance, largest entry of each axis positive), so the same data and seed always
give the same picture.

References
----------
.. [1] D. G. Clark, J. A. Livezey, K. E. Bouchard, "Unsupervised discovery of temporal
   structure in noisy data with dynamical components analysis", NeurIPS 2019.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.linalg
import scipy.optimize

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import check_real, positive_int

__all__ = ["DCA", "cross_covariances", "predictive_information"]


def _as_trials(X, name: str = "X") -> np.ndarray:
    """Data as float64 ``(n_trials, n_time, N)``; a single ``(n_time, N)`` series is one trial."""
    arr = np.asarray(X)
    check_real(arr, name)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n_time, N) or (n_trials, n_time, N), got {np.asarray(X).shape}"
        )
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def cross_covariances(X, n_lags: int) -> np.ndarray:
    r"""Lagged cross-covariances :math:`C_\ell = \operatorname{Cov}(x_t, x_{t+\ell})`.

    .. math::

        C_\ell = \frac{1}{n} \sum_{\text{trials}} \sum_{t=1}^{n_{time} - \ell}
        (x_t - \bar x)(x_{t+\ell} - \bar x)^\top ,

    :math:`\bar x` the mean over all :math:`n` samples; pairs never straddle two trials.
    Dividing by :math:`n` rather than by the number of pairs (the *biased* estimator,
    shrunk by :math:`1 - \ell/n_{time}`) is what makes every block Toeplitz matrix built
    from the :math:`C_\ell` positive semi-definite: its quadratic forms are sums of squares
    of the zero-padded series. With the unbiased estimator, short non-stationary trials
    (transients from rest) gave indefinite :math:`\Sigma_{2T}` and no log determinant.
    Keep ``n_time`` well above :math:`2T`. :math:`C_0` is symmetrised.

    Parameters
    ----------
    X : array_like, shape (n_time, N) or (n_trials, n_time, N)
    n_lags : int
        Number of lags :math:`\ell = 0, \dots, n_{lags} - 1`; must be less than ``n_time``.

    Returns
    -------
    ndarray, shape (n_lags, N, N)
    """
    X = _as_trials(X)
    n_lags = positive_int(n_lags, "n_lags")
    n_trials, n_time, N = X.shape
    if n_lags >= n_time:
        raise ValueError(
            f"n_lags must be smaller than the number of time steps {n_time}, got {n_lags}"
        )
    Xc = X - X.reshape(-1, N).mean(axis=0)
    C = np.empty((n_lags, N, N))
    for lag in range(n_lags):
        a = Xc[:, : n_time - lag].reshape(-1, N)
        b = Xc[:, lag:].reshape(-1, N)
        C[lag] = a.T @ b / (n_trials * n_time)
    C[0] = 0.5 * (C[0] + C[0].T)
    return C


def _blocks_by_lag(P: np.ndarray, k: int) -> np.ndarray:
    """``(2k - 1, d, d)``: entry ``k - 1 + l`` is P[l] for l >= 0 and P[-l].T for l < 0."""
    return np.concatenate([np.swapaxes(P[k - 1 : 0 : -1], 1, 2), P[:k]])


def _block_toeplitz(P: np.ndarray, k: int) -> np.ndarray:
    """``(k d, k d)`` matrix with block (i, j) = P[j - i] (P[-l] = P[l].T)."""
    d = P.shape[1]
    lag = np.arange(k)[None, :] - np.arange(k)[:, None]  # j - i
    return _blocks_by_lag(P, k)[lag + k - 1].transpose(0, 2, 1, 3).reshape(k * d, k * d)


@functools.cache
def _diagonal_index(k: int) -> np.ndarray:
    """``(k, 2k - 1)`` gather index: entry (i, k - 1 + l) is block (i, i - l), or the pad ``k*k``."""
    i = np.arange(k)[:, None]
    j = i - (np.arange(2 * k - 1)[None, :] - (k - 1))
    return np.where((j >= 0) & (j < k), i * k + j, k * k)


def _logdet_and_lag_sums(P: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """log det of the ``k``-window projected covariance and the block-diagonal sums of its inverse.

    The sums come back as ``(2k - 1, d, d)``: entry ``k - 1 + l`` is
    :math:`S_l = \\sum_t B_{t+l,\\, t}` for :math:`l = 1-k, \\dots, k-1`.
    """
    d = P.shape[1]
    c = np.linalg.cholesky(_block_toeplitz(P, k))
    logdet = 2.0 * float(np.sum(np.log(np.diag(c))))
    ci = np.linalg.inv(c)
    B = (ci.T @ ci).reshape(k, d, k, d).transpose(0, 2, 1, 3).reshape(k * k, d, d)
    B = np.concatenate([B, np.zeros((1, d, d))])  # a zero block for the padding
    sums = B[_diagonal_index(k)].sum(axis=0)
    return logdet, sums


def _pi_and_grad(C: np.ndarray, Q: np.ndarray, T: int, want_grad: bool = True):
    """Predictive information at orthonormal ``Q`` (N, d) and its gradient (N, d)."""
    CQ = C @ Q  # (2T, N, d)
    P = np.einsum("ni,lnj->lij", Q, CQ)  # P[l] = Q^T C_l Q
    P[0] = 0.5 * (P[0] + P[0].T)
    try:
        ld_T, s_T = _logdet_and_lag_sums(P[:T], T)
        ld_2T, s_2T = _logdet_and_lag_sums(P, 2 * T)
    except np.linalg.LinAlgError:
        return -np.inf, None
    pi = ld_T - 0.5 * ld_2T
    if not want_grad:
        return pi, None
    CtQ = np.swapaxes(C, 1, 2) @ Q
    G = np.zeros_like(Q)
    for k, sums, w in ((T, s_T, 2.0), (2 * T, s_2T, -1.0)):
        # sums[k - 1 + l] is S_l: lags 0..k-1 pair with C_l, lags -1..-(k-1) with C_l^T
        g = np.einsum("lnd,lde->ne", CQ[:k], sums[k - 1 :])
        if k > 1:
            g += np.einsum("lnd,lde->ne", CtQ[1:k], sums[k - 2 :: -1])
        G += w * g
    return pi, G


def _check_T(T, C: np.ndarray) -> int:
    T = positive_int(T, "T")
    if 2 * T > C.shape[0]:
        raise ValueError(f"T = {T} needs 2T = {2 * T} lags of cross-covariance, got {C.shape[0]}")
    return T


def predictive_information(cross_covs, V, T: int) -> float:
    r"""Gaussian predictive information :math:`\log\det\Sigma_T(V) - \frac12\log\det\Sigma_{2T}(V)`.

    Parameters
    ----------
    cross_covs : array_like, shape (n_lags, N, N)
        :math:`C_0, \dots`, from :func:`cross_covariances`, with ``n_lags >= 2 T``.
    V : array_like, shape (N, d)
        Columns spanning the subspace (any basis: only the span matters).
    T : int
        Window length.

    Returns
    -------
    float
        Predictive information in nats.
    """
    C = np.asarray(cross_covs, dtype=np.float64)
    if C.ndim != 3 or C.shape[1] != C.shape[2]:
        raise ValueError(f"cross_covs must have shape (n_lags, N, N), got {C.shape}")
    T = _check_T(T, C)
    V = np.asarray(V, dtype=np.float64)
    if V.ndim != 2 or V.shape[0] != C.shape[1] or V.shape[1] > V.shape[0]:
        raise ValueError(
            f"V must have shape (N, d) with N = {C.shape[1]} and d <= N, got {V.shape}"
        )
    Q, R = np.linalg.qr(V)
    if np.min(np.abs(np.diag(R))) < 1e-12 * max(1.0, np.max(np.abs(R))):
        raise ValueError("V must have linearly independent columns")
    return float(_pi_and_grad(C[: 2 * T], Q, T, want_grad=False)[0])


class DCA:
    r"""Dynamical Components Analysis: the :math:`d`-dimensional subspace of maximal predictive
    information (Clark, Livezey & Bouchard 2019; equations in the module docstring).

    Parameters
    ----------
    d : int
        Dimension of the subspace.
    T : int
        Past/future window length (time steps).
    n_init : int
        Number of random starts of L-BFGS.
    seed : int or numpy.random.Generator
        Seed of the random starts (required: the same seed gives the same subspace).
    max_iter : int
        L-BFGS iterations per start.
    n_pcs : int, optional
        First reduce the data to its leading ``n_pcs`` principal components (covariance
        PCA) and search there; the subspace is then mapped back, so ``components_`` still
        lives in the full space. Needed when some directions never vary (silent ReLU
        units make the covariance singular) and much faster for large :math:`N`.

    Attributes
    ----------
    components_ : ndarray, shape (d, N)
        Orthonormal rows spanning the best subspace, ordered by projected variance.
    pi_ : float
        Its predictive information (nats).
    restarts_pi_ : ndarray, shape (n_init,)
        Predictive information reached from every start.
    restarts_bases_ : ndarray, shape (n_init, N, d)
        Orthonormal bases of the subspaces reached from every start.
    mean_ : ndarray, shape (N,)
    cross_covs_ : ndarray, shape (2T, N, N)
        (``(2T, n_pcs, n_pcs)`` with ``n_pcs``: of the reduced data.)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.cumsum(rng.normal(size=(500, 1)), axis=0) * 0.1      # a slow random walk
    >>> X = np.hstack([x, 3 * rng.normal(size=(500, 2))])            # beside louder noise
    >>> dca = DCA(d=1, T=3, n_init=2, seed=0).fit(X)
    >>> bool(abs(dca.components_[0, 0]) > 0.99)
    True
    """

    def __init__(
        self,
        d: int,
        T: int = 5,
        *,
        n_init: int = 5,
        seed=0,
        max_iter: int = 500,
        n_pcs: int | None = None,
    ):
        self.d = positive_int(d, "d")
        self.n_pcs = None if n_pcs is None else positive_int(n_pcs, "n_pcs")
        if self.n_pcs is not None and self.n_pcs < self.d:
            raise ValueError(f"n_pcs must be at least d = {self.d}, got {self.n_pcs}")
        self.T = positive_int(T, "T")
        self.n_init = positive_int(n_init, "n_init")
        self.max_iter = positive_int(max_iter, "max_iter")
        if seed is None:
            raise ValueError("seed is required (an int or a numpy Generator): DCA starts at random")
        self.seed = seed

    @blas_limited
    def fit(self, X) -> DCA:
        """Fit to data ``X`` of shape ``(n_time, N)`` or ``(n_trials, n_time, N)``."""
        Xt = _as_trials(X)
        N = Xt.shape[2]
        if self.d > N:
            raise ValueError(f"d must be at most the number of features {N}, got {self.d}")
        self.mean_ = Xt.reshape(-1, N).mean(axis=0)
        P = np.eye(N)  # columns: the basis DCA searches in
        if self.n_pcs is not None:
            if self.n_pcs > N:
                raise ValueError(
                    f"n_pcs must be at most the number of features {N}, got {self.n_pcs}"
                )
            Xc = (Xt - self.mean_).reshape(-1, N)
            _, U = np.linalg.eigh(Xc.T @ Xc)
            P = U[:, ::-1][:, : self.n_pcs]
            Xt = Xt @ P
        C = cross_covariances(Xt, 2 * self.T)
        if np.linalg.eigvalsh(C[0])[0] <= 1e-12 * np.trace(C[0]):
            raise ValueError(
                "the covariance of X is singular (some direction never varies): reduce it first, "
                "e.g. to its leading principal components"
            )
        self.cross_covs_ = C
        self._fit_covs(C, C.shape[1])
        if self.n_pcs is not None:
            self.components_ = self.components_ @ P.T
            self.restarts_bases_ = P @ self.restarts_bases_
        return self

    def _fit_covs(self, C, N) -> DCA:
        rng = np.random.default_rng(self.seed)
        T, d = self.T, self.d

        def fun(v):
            Q, R = np.linalg.qr(v.reshape(N, d))
            pi, G = _pi_and_grad(C, Q, T)
            if not np.isfinite(pi):
                return np.inf, np.zeros_like(v)
            return -pi, -scipy.linalg.solve_triangular(R, G.T, lower=False).T.ravel()

        pis, bases = [], []
        for _ in range(self.n_init):
            v0 = np.linalg.qr(rng.standard_normal((N, d)))[0].ravel()
            res = scipy.optimize.minimize(
                fun, v0, jac=True, method="L-BFGS-B", options={"maxiter": self.max_iter}
            )
            Q = np.linalg.qr(res.x.reshape(N, d))[0]
            pis.append(-float(res.fun))
            bases.append(Q)
        self.restarts_pi_ = np.array(pis)
        self.restarts_bases_ = np.array(bases)
        best = int(np.argmax(self.restarts_pi_))
        self.pi_ = float(self.restarts_pi_[best])
        self.components_ = _principal_axes(self.restarts_bases_[best], C[0]).T
        return self

    def transform(self, X) -> np.ndarray:
        r""":math:`y = V^\top (x - \bar x)`: shape ``(..., d)`` for ``X`` of shape ``(..., N)``."""
        if not hasattr(self, "components_"):
            raise RuntimeError("call fit(X) before transform")
        arr = np.asarray(X)
        check_real(arr, "X")
        if arr.shape[-1] != self.components_.shape[1]:
            raise ValueError(
                f"X must have {self.components_.shape[1]} features, got shape {arr.shape}"
            )
        return (arr - self.mean_) @ self.components_.T

    def __repr__(self) -> str:
        return f"DCA(d={self.d}, T={self.T}, n_init={self.n_init})"


def _principal_axes(Q: np.ndarray, C0: np.ndarray) -> np.ndarray:
    """Rotate the basis Q (N, d) to the principal axes of the projected covariance; fix signs."""
    _, U = np.linalg.eigh(Q.T @ C0 @ Q)
    B = Q @ U[:, ::-1]
    idx = np.argmax(np.abs(B), axis=0)
    return B * np.sign(B[idx, np.arange(B.shape[1])])
