r"""Principal component analysis: a low-dimensional view of states and fixed points.

A network of :math:`N` units is watched through a few directions: the principal components
of the states it visits. Trajectories and fixed points projected onto them can be drawn
in 2-D or 3-D (Sussillo & Barak 2013, Fig. 2; Jang §6).

.. math::

    C = \frac{1}{n-1} \sum_{i=1}^{n} (z_i - \bar z)(z_i - \bar z)^\top = V \Lambda V^\top ,
    \qquad y = V_k^\top (z - \bar z),

with :math:`z = x` (covariance PCA) or :math:`z_j = x_j / s_j`, :math:`s_j` the standard
deviation of unit :math:`j` (correlation PCA, insensitive to the units' scales).
"""

from __future__ import annotations

import numpy as np

from rnnlab._internal.validation import check_real, positive_int

__all__ = ["PCA"]


def _as_data(X, name: str, *, min_ndim: int) -> np.ndarray:
    """``X`` as a finite float64 array with at least ``min_ndim`` dimensions, or raise."""
    arr = np.asarray(X)
    check_real(arr, name)
    if arr.ndim < min_ndim:
        want = "(n_samples, N) or (..., N)" if min_ndim == 2 else "(N,) or (..., N)"
        raise ValueError(f"{name} must have shape {want}, got an array of shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


class PCA:
    r"""Principal components of states, from the eigendecomposition of their covariance.

    The components are the leading eigenvectors of the covariance matrix of the (centred,
    and for ``correlation=True`` standardised) samples,

    .. math::

        C = \frac{1}{n-1} Z_c^\top Z_c = V \Lambda V^\top, \qquad
        Z_c = (X - \mathbf 1 \bar x^\top)\, S^{-1},

    with :math:`S = I` (covariance PCA) or :math:`S = \operatorname{diag}(s_1, \dots, s_N)`,
    :math:`s_j` the standard deviation of feature :math:`j` (correlation PCA: :math:`C` is
    then the correlation matrix). The projection of a state is
    :math:`y = V_k^\top S^{-1} (x - \bar x)`, :math:`V_k` the :math:`k` eigenvectors with the
    largest eigenvalues :math:`\lambda_1 \ge \dots \ge \lambda_k`.

    An eigenvector is only defined up to its sign; here the entry of largest magnitude of
    every component is made positive, so the same data always gives the same picture.

    Parameters
    ----------
    n_components : int
        Number of components :math:`k`, at most the number of features :math:`N`.
    correlation : bool
        Standardise every feature by its standard deviation first. A feature that never
        varies keeps scale 1 (it contributes nothing either way).

    Attributes
    ----------
    mean_ : ndarray, shape (N,)
        :math:`\bar x`.
    scale_ : ndarray, shape (N,)
        :math:`s_j`: ones for covariance PCA, the standard deviations for correlation PCA.
    components_ : ndarray, shape (n_components, N)
        The principal directions :math:`V_k^\top`, orthonormal rows.
    explained_variance_ : ndarray, shape (n_components,)
        :math:`\lambda_1, \dots, \lambda_k`, the variance along each component.
    explained_variance_ratio_ : ndarray, shape (n_components,)
        :math:`\lambda_i / \operatorname{tr} C`, the fraction of the total variance.
    n_features_ : int
        :math:`N`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)) * [5.0, 1.0, 0.1]
    >>> pca = PCA(2).fit(X)
    >>> np.round(np.abs(pca.components_[0]), 2)
    array([1., 0., 0.])
    >>> pca.transform(X).shape
    (500, 2)
    """

    def __init__(self, n_components: int, *, correlation: bool = False):
        self.n_components = positive_int(n_components, "n_components")
        self.correlation = bool(correlation)

    def fit(self, X) -> PCA:
        """Fit the components to samples ``X``.

        Parameters
        ----------
        X : array_like, shape (n_samples, N) or (..., N)
            States; leading axes (e.g. trials and time, ``(B, T, N)``) are pooled.

        Returns
        -------
        PCA
            ``self``, fitted.
        """
        arr = _as_data(X, "X", min_ndim=2)
        Z = arr.reshape(-1, arr.shape[-1])
        n, N = Z.shape
        if self.n_components > N:
            raise ValueError(
                f"n_components ({self.n_components}) must be at most the number of features N = {N}"
            )
        if n < 2:
            raise ValueError(f"X must hold at least 2 samples to estimate a covariance, got {n}")
        mean = Z.mean(axis=0)
        Zc = Z - mean
        scale = np.ones(N)
        if self.correlation:
            std = Zc.std(axis=0, ddof=1)
            # A constant feature has no direction to standardise; leave it as it is.
            scale = np.where(std > 0, std, 1.0)
            Zc = Zc / scale
        cov = (Zc.T @ Zc) / (n - 1)
        evals, evecs = np.linalg.eigh(cov)  # ascending
        evals = np.clip(evals[::-1], 0.0, None)  # round-off can make zero slightly negative
        evecs = evecs[:, ::-1]
        comps = evecs[:, : self.n_components].T.copy()
        # Sign convention: the largest-magnitude entry of each component is positive.
        lead = np.argmax(np.abs(comps), axis=1)
        comps *= np.sign(comps[np.arange(len(comps)), lead])[:, None]
        total = evals.sum()

        self.mean_ = mean
        self.scale_ = scale
        self.components_ = comps
        self.explained_variance_ = evals[: self.n_components].copy()
        self.explained_variance_ratio_ = (
            self.explained_variance_ / total if total > 0 else np.zeros(self.n_components)
        )
        self.n_features_ = N
        return self

    def _check_fitted(self, X, name: str) -> np.ndarray:
        if not hasattr(self, "components_"):
            raise ValueError("this PCA is not fitted yet: call fit(X) first")
        arr = _as_data(X, name, min_ndim=1)
        if arr.shape[-1] != self.n_features_:
            raise ValueError(
                f"{name} must have N = {self.n_features_} features in its last axis (as the "
                f"data the PCA was fitted to), got shape {arr.shape}"
            )
        return arr

    def transform(self, X) -> np.ndarray:
        r"""Project states onto the components, :math:`y = V_k^\top S^{-1}(x - \bar x)`.

        Parameters
        ----------
        X : array_like, shape (N,) or (..., N)

        Returns
        -------
        ndarray, shape (n_components,) or (..., n_components)
            Leading axes are kept, e.g. ``(B, T, N) -> (B, T, k)``.
        """
        arr = self._check_fitted(X, "X")
        return ((arr - self.mean_) / self.scale_) @ self.components_.T

    def fit_transform(self, X) -> np.ndarray:
        """Fit to ``X`` and return its projection, same as ``fit(X).transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Y) -> np.ndarray:
        r"""Map projections back to state space, :math:`x = \bar x + S V_k y`.

        Parameters
        ----------
        Y : array_like, shape (n_components,) or (..., n_components)

        Returns
        -------
        ndarray, shape (N,) or (..., N)
        """
        if not hasattr(self, "components_"):
            raise ValueError("this PCA is not fitted yet: call fit(X) first")
        arr = _as_data(Y, "Y", min_ndim=1)
        if arr.shape[-1] != self.n_components:
            raise ValueError(
                f"Y must have {self.n_components} components in its last axis, got shape "
                f"{arr.shape}"
            )
        return (arr @ self.components_) * self.scale_ + self.mean_

    def __repr__(self) -> str:
        corr = ", correlation=True" if self.correlation else ""
        return f"PCA(n_components={self.n_components}{corr})"
