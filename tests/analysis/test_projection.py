"""PCA: against numpy's SVD, on planted structure, and its input checks."""

import numpy as np
import pytest

from rnnlab.analysis.projection import PCA


def _data(seed=0, n=400, N=6):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, N)) @ rng.normal(size=(N, N)) + rng.normal(size=N)


def test_recovers_planted_dominant_direction():
    rng = np.random.default_rng(1)
    u = rng.normal(size=8)
    u /= np.linalg.norm(u)
    X = 0.1 * rng.normal(size=(1000, 8)) + np.outer(5.0 * rng.normal(size=1000), u)
    pca = PCA(2).fit(X)
    assert abs(pca.components_[0] @ u) > 0.999
    assert pca.explained_variance_ratio_[0] > 0.99


def test_matches_numpy_svd():
    X = _data()
    k = 3
    pca = PCA(k).fit(X)
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    V = Vt[:k]
    # Same sign convention as the class: largest-|entry| positive.
    V = V * np.sign(V[np.arange(k), np.argmax(np.abs(V), axis=1)])[:, None]
    np.testing.assert_allclose(pca.components_, V, atol=1e-10)
    np.testing.assert_allclose(pca.explained_variance_, S[:k] ** 2 / (len(X) - 1), rtol=1e-10)
    np.testing.assert_allclose(pca.explained_variance_ratio_, S[:k] ** 2 / np.sum(S**2))
    np.testing.assert_allclose(pca.transform(X), Xc @ V.T, atol=1e-10)
    np.testing.assert_allclose(pca.mean_, X.mean(axis=0))
    np.testing.assert_array_equal(pca.scale_, np.ones(X.shape[1]))
    np.testing.assert_allclose(pca.components_ @ pca.components_.T, np.eye(k), atol=1e-12)


def test_sign_convention_is_deterministic():
    X = _data(2)
    a = PCA(3).fit(X).components_
    b = PCA(3).fit(X[::-1]).components_  # same data, other order
    np.testing.assert_allclose(a, b, atol=1e-10)
    lead = a[np.arange(3), np.argmax(np.abs(a), axis=1)]
    assert np.all(lead > 0)


def test_correlation_pca_is_scale_invariant():
    X = _data(3)
    scales = np.array([1.0, 100.0, 0.01, 5.0, 1e3, 0.3])
    a = PCA(3, correlation=True).fit(X)
    b = PCA(3, correlation=True).fit(X * scales)
    np.testing.assert_allclose(a.components_, b.components_, atol=1e-8)
    np.testing.assert_allclose(a.transform(X), b.transform(X * scales), atol=1e-8)
    np.testing.assert_allclose(b.scale_, (X * scales).std(axis=0, ddof=1))
    # ... and it is the eigendecomposition of the correlation matrix.
    evals = np.linalg.eigvalsh(np.corrcoef(X.T))[::-1]
    np.testing.assert_allclose(a.explained_variance_, evals[:3], rtol=1e-10)
    # covariance PCA is not scale-invariant: the feature scaled by 1e3 dominates
    c = PCA(1).fit(X * scales)
    assert np.argmax(np.abs(c.components_[0])) == 4


def test_transform_keeps_leading_shape_and_round_trips():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3, 50, 5))
    pca = PCA(2).fit(X)
    Y = pca.transform(X)
    assert Y.shape == (3, 50, 2)
    np.testing.assert_allclose(Y[1], pca.transform(X[1]))
    assert pca.transform(X[0, 0]).shape == (2,)
    full = PCA(5, correlation=True).fit(X)
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, atol=1e-10)
    np.testing.assert_allclose(PCA(2).fit_transform(X), Y)


def test_constant_feature_in_correlation_pca():
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.normal(size=100), np.full(100, 3.0), rng.normal(size=100)])
    pca = PCA(2, correlation=True).fit(X)
    assert pca.scale_[1] == 1.0
    assert np.all(np.isfinite(pca.transform(X)))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: PCA(2).fit(np.ones(5)), "X must have shape"),
        (lambda: PCA(7).fit(np.ones((10, 6))), "n_components"),
        (lambda: PCA(2).fit(np.array([[1.0, np.nan], [2.0, 3.0]])), "NaN"),
        (lambda: PCA(1).fit(np.ones((1, 3))), "at least 2 samples"),
        (lambda: PCA(2).transform(np.ones((3, 3))), "not fitted"),
        (lambda: PCA(2).fit(np.eye(4)).transform(np.ones((2, 3))), "N = 4"),
        (lambda: PCA(2).fit(np.eye(4)).inverse_transform(np.ones(3)), "2 components"),
        (lambda: PCA(0), "n_components"),
    ],
)
def test_bad_input_raises_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="numeric"):
        PCA(1).fit([["a", "b"], ["c", "d"]])
