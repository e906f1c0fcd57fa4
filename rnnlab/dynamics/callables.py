r"""Your own system from plain functions: a flow from :math:`F` and :math:`J`, a map from
:math:`G` and :math:`\partial G/\partial x`.

:func:`make_flow` and :func:`make_map` wrap callables (for one state or a batch, detected
once) in a :class:`rnnlab.dynamics.systems.DynamicalSystem`, so every tool of the library
works on them; the map's displacement :math:`G(x) - x` and :math:`\partial G/\partial x - I`
are formed here. The Jacobian is checked once against finite differences when the system
is built (:mod:`rnnlab.dynamics.derivative_checks`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlab._internal.validation import (
    positive_int,
)
from rnnlab.dynamics.derivative_checks import (
    check_points,
    curvature_mismatch,
    fd_curvature,
    jacobian_mismatch,
)
from rnnlab.dynamics.systems import DynamicalSystem

__all__ = ["CallableFlow", "CallableMap", "make_flow", "make_map"]


def _callable_name(func) -> str:
    return getattr(func, "__name__", type(func).__name__)


def _try(func, args):
    """Call a user function; return ``(array, None)`` or ``(None, reason)``."""
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(func(*args))
    except Exception as exc:  # the user's function may fail in any way on a batch
        return None, f"raised {type(exc).__name__}: {exc}"
    if out.dtype == object or not np.issubdtype(out.dtype, np.number):
        return None, f"returned a non-numeric array (dtype {out.dtype})"
    if np.iscomplexobj(out):
        return None, "returned complex values"
    return out.astype(float, copy=False), None


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    scale = max(1.0, float(np.nanmax(np.abs(a), initial=0.0)))
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale, equal_nan=True))


def _vectorize(func, name: str, args: tuple, tail: tuple, batched: bool | None):
    """Wrap a user function so that it maps a batch to a batch; detect once which it takes.

    ``args`` are batches (the check points, and for a curvature the weights). The function
    is batched when, given the whole batch, it returns the per-state results stacked; a
    function that only works on a batch counts as batched too.
    """
    if not callable(func):
        raise TypeError(f"{name} must be a callable, got {type(func).__name__}")
    if len(args[0]) == 1:  # a batch of one broadcasts like one state: detect on two
        args = tuple(np.repeat(a, 2, axis=0) for a in args)
    B = len(args[0])
    n = args[0].shape[1]
    one = ", ".join(f"shape ({n},)" for _ in args)
    many = ", ".join(f"shape (B, {n})" for _ in args)
    want_one, want_many = tail, (B, *tail)
    rows, row_problem = [], None
    if batched is not True:
        for b in range(B):
            out, problem = _try(func, tuple(a[b] for a in args))
            if problem is None and out.shape != want_one:
                problem = f"returned shape {out.shape}"
            if problem is not None:
                row_problem = problem
                break
            rows.append(out)
    whole, whole_problem = (None, None) if batched is False else _try(func, args)
    if whole is not None and whole.shape != want_many:
        whole, whole_problem = None, f"returned shape {whole.shape}"
    if batched is None:
        if row_problem is None and whole is not None:
            batched = _same(whole, np.stack(rows))
        elif whole is not None:
            batched = True
        elif row_problem is None:
            batched = False
    problem = whole_problem if batched else row_problem
    if batched is None or problem is not None:
        told = "" if batched is None else f" (batched={batched} was given)"
        raise ValueError(
            f"{name} must take one state ({one}) and return shape {want_one}, or a batch "
            f"({many}) and return shape (B, {', '.join(map(str, tail))}){told}; "
            + (f"with one state it {row_problem}" if row_problem else "")
            + ("; " if row_problem and whole_problem else "")
            + (f"with a batch of {B} it {whole_problem}" if whole_problem else "")
        )

    label = f"{name} ({_callable_name(func)})"

    def checked(out, size):
        out = np.asarray(out, dtype=float)
        if out.shape != (size, *tail):
            raise ValueError(
                f"{label} returned shape {out.shape} for a batch of {size} states, "
                f"expected {(size, *tail)}"
            )
        return out

    if batched:

        def call(*batch):
            return checked(func(*batch), len(batch[0]))

    else:

        def call(*batch):
            if len(batch[0]) == 0:
                return np.empty((0, *tail))
            return checked(
                np.stack([np.asarray(func(*a), dtype=float) for a in zip(*batch, strict=True)]),
                len(batch[0]),
            )

    return call, bool(batched)


def _convention_error(name: str, kind: str, detail: str, expected: str, hint: dict) -> ValueError:
    return ValueError(
        f"{name} does not match central finite differences: it "
        f"{hint.get(kind, 'is not their Jacobian')}. "
        f"Expected {expected} ({detail})."
    )


class _CallableSystem(DynamicalSystem):
    """Shared machinery of :class:`CallableFlow` and :class:`CallableMap`."""

    _f_name: str
    _df_name: str

    def _setup(self, f, df, curvature, dim, batched, check_at):
        self.dim = positive_int(dim, "dim")
        if batched not in (None, True, False):
            raise TypeError(f"batched must be True, False or None (detect), got {batched!r}")
        X = check_points(check_at, self.dim)
        n = self.dim
        self._f, bf = _vectorize(f, self._f_name, (X,), (n,), batched)
        self._df, bdf = _vectorize(df, self._df_name, (X,), (n, n), batched)
        self.batched = {self._f_name: bf, self._df_name: bdf}
        self._curv = None
        if curvature is not None:
            self._curv, bc = _vectorize(curvature, "curvature", (X, X), (n, n), batched)
            self.batched["curvature"] = bc
        self._names = (_callable_name(f), _callable_name(df))
        with np.errstate(all="ignore"):
            fx, dfx = self._f(X), self._df(X)
        if not (np.all(np.isfinite(fx)) and np.all(np.isfinite(dfx))):
            raise ValueError(
                f"{self._f_name} or {self._df_name} is not finite at the check points "
                f"{np.round(X[:4], 3).tolist()}; pass check_at= with states "
                "where the system is defined"
            )
        return X, dfx

    def _check_curvature(self, X, expected):
        if self._curv is None:
            return
        where = curvature_mismatch(self._df, self._curv, X)
        if where is not None:
            raise ValueError(
                f"curvature(x, v) must return {expected}, shape ({self.dim}, {self.dim}); "
                f"{where}. Leave it out to have it by finite differences."
            )

    @property
    def curvature_by_finite_differences(self) -> bool:
        return self._curv is None

    def _curvature(self, X, V):
        if self._curv is None:
            return fd_curvature(self._df, X, V)
        return self._curv(X, V)

    def __repr__(self) -> str:
        f, df = self._names
        return (
            f"{type(self).__name__}(dim={self.dim}, {self._f_name}={f}, {self._df_name}={df}, "
            f"curvature={'analytic' if self._curv is not None else 'finite differences'})"
        )


class CallableFlow(_CallableSystem):
    r"""A flow :math:`\dot x = F(x)` from plain functions; made by :func:`make_flow`."""

    _f_name, _df_name = "F", "J"

    def __init__(self, F, J, *, dim, curvature=None, batched=None, check_at=None):
        X, Jx = self._setup(F, J, curvature, dim, batched, check_at)
        found = jacobian_mismatch(self._f, Jx, X, ("F", "J"))
        if found is not None:
            kind, detail = found
            raise _convention_error(
                "J",
                kind,
                detail,
                "J(x) = dF/dx, [i, j] = dF_i/dx_j, of the flow x' = F(x)",
                {
                    "+I": (
                        "equals dF/dx + I, which is dG/dx of a map whose displacement is F: "
                        "for a map x_{t+1} = G(x) use rnnlab.make_map(G, dG)"
                    ),
                    "-I": (
                        "equals dF/dx - I: if F is a map x_{t+1} = F(x), use "
                        "rnnlab.make_map(G=F, dG=dF/dx) and let the library subtract I"
                    ),
                    "transposed": "looks transposed",
                    "not finite": "is not finite near the check points (pass check_at=)",
                },
            )
        self._check_curvature(
            X, "sum_k v_k d2F_k/dx dx, the Hessians of F's components weighted by v"
        )

    def _rhs(self, X):
        return self._f(X)

    def _jacobian(self, X):
        return self._df(X)


class CallableMap(_CallableSystem):
    r"""A map :math:`x_{t+1} = G(x_t)` from plain functions; made by :func:`make_map`.

    Stored, like every map here, through its displacement :math:`F = G(x) - x` and
    :math:`J = \partial G/\partial x - I`, formed by the library; :meth:`step` and
    :meth:`stability_matrix` call ``G`` and ``dG`` directly.
    """

    discrete = True
    _f_name, _df_name = "G", "dG"

    def __init__(self, G, dG, *, dim, curvature=None, batched=None, check_at=None):
        X, dGx = self._setup(G, dG, curvature, dim, batched, check_at)
        found = jacobian_mismatch(self._f, dGx, X, ("G", "dG"))
        if found is not None:
            kind, detail = found
            raise _convention_error(
                "dG",
                kind,
                detail,
                "dG(x) = dG/dx, the Jacobian of the map itself, [i, j] = dG_i/dx_j, for "
                "x_{t+1} = G(x); the library forms G(x) - x and dG/dx - I itself",
                {
                    "-I": (
                        "equals dG/dx - I, the Jacobian of the displacement G(x) - x: "
                        "return dG/dx without subtracting the identity"
                    ),
                    "+I": (
                        "equals dG/dx + I for the G given: is G the displacement G(x) - x? "
                        "make_map wants the map itself, x_{t+1} = G(x)"
                    ),
                    "transposed": "looks transposed",
                    "not finite": "is not finite near the check points (pass check_at=)",
                },
            )
        self._check_curvature(
            X, "sum_k v_k d2G_k/dx dx, the Hessians of G's components weighted by v"
        )

    def _rhs(self, X):
        return self._f(X) - X

    def _jacobian(self, X):
        J = self._df(X).copy()
        J[:, np.arange(self.dim), np.arange(self.dim)] -= 1.0
        return J

    def step(self, x) -> np.ndarray:
        """One step of the map, :math:`G(x)`."""
        X, single = self._states(x)
        G = self._f(X)
        return G[0] if single else G

    def stability_matrix(self, x) -> np.ndarray:
        r""":math:`\partial G/\partial x`, from ``dG`` directly."""
        X, single = self._states(x)
        M = self._df(X)
        return M[0] if single else M


def make_flow(
    F: Callable,
    J: Callable,
    *,
    dim: int,
    curvature: Callable | None = None,
    batched: bool | None = None,
    check_at=None,
) -> CallableFlow:
    r"""A flow :math:`\dot x = F(x)` from two plain functions, ready for every rnnlab tool.

    Parameters
    ----------
    F : callable
        The velocity :math:`F(x)`.
    J : callable
        Its Jacobian :math:`J(x) = \partial F/\partial x`, with ``J(x)[i, j]`` =
        :math:`\partial F_i/\partial x_j`.
    dim : int
        State dimension :math:`n`.
    curvature : callable, optional
        ``curvature(x, v)`` :math:`= \sum_k v_k \nabla^2 F_k(x)`, shape ``(n, n)``: the
        second-derivative term of the exact Hessian of the speed :math:`q` (used to tell a
        slow point from a non-minimum, and by ``minimize_q(hessian='exact')``). When left
        out it is computed by **central finite differences of** ``J`` (:math:`2n` Jacobian
        evaluations per state, accurate to about :math:`10^{-9}` relative).
    batched : bool, optional
        Whether the functions take a batch. By default this is detected once, at the check
        points: a function is batched when, given states of shape ``(B, n)``, it returns the
        per-state results stacked (``(B, n)`` from ``F``, ``(B, n, n)`` from ``J``);
        otherwise it is called once per state with shape ``(n,)``. Batched functions are
        faster on many states; both give the same results.
    check_at : array_like, shape (n,) or (B, n), optional
        States at which the functions are checked when the system is built (default: two
        fixed random states in :math:`[-\tfrac12, \tfrac12]^n`); pass states inside the
        domain if ``F`` is not defined there.

    Returns
    -------
    CallableFlow
        A :class:`DynamicalSystem` with ``discrete = False``.

    Raises
    ------
    ValueError
        When a function returns the wrong shape or is not finite at the check points, or
        when :math:`J v` differs from the central difference
        :math:`(F(x + h v) - F(x - h v))/2h` along random directions :math:`v`. The message
        names the argument and what it seems to hold instead; in particular
        :math:`J = \partial F/\partial x + I`, the Jacobian :math:`\partial G/\partial x` of a
        map with displacement :math:`F`, says to use :func:`make_map`.

    See Also
    --------
    make_map : a map :math:`x_{t+1} = G(x_t)` from :math:`G` and :math:`\partial G/\partial x`.

    Examples
    --------
    A damped Duffing oscillator, :math:`\dot x = y,\ \dot y = x - x^3 - y/2`, written
    for one state ``x`` of shape ``(2,)`` (the library detects that and loops):

    >>> import numpy as np, rnnlab
    >>> duffing = rnnlab.make_flow(  # x' = F(x), F and J written for one state x
    ...     F=lambda x: np.array([x[1], x[0] - x[0] ** 3 - x[1] / 2]),
    ...     J=lambda x: np.array([[0, 1], [1 - 3 * x[0] ** 2, -0.5]]),
    ...     dim=2,
    ... )
    >>> starts = rnnlab.grid_starts((-2, 2), (-2, 2), n=5)
    >>> fps = rnnlab.find_fixed_points(duffing, starts)
    >>> print(", ".join(f"{k} {(x.round(2) + 0).tolist()}" for x, k in zip(fps.x, fps.kind)))
    stable focus [-1.0, 0.0], stable focus [1.0, 0.0], saddle (1 unstable) [0.0, 0.0]
    >>> duffing.batched
    {'F': False, 'J': False}
    """
    return CallableFlow(F, J, dim=dim, curvature=curvature, batched=batched, check_at=check_at)


def make_map(
    G: Callable,
    dG: Callable,
    *,
    dim: int,
    curvature: Callable | None = None,
    batched: bool | None = None,
    check_at=None,
) -> CallableMap:
    r"""A map :math:`x_{t+1} = G(x_t)` from the map and its Jacobian, ready for every rnnlab tool.

    Give the map itself and its own Jacobian :math:`\partial G/\partial x`, never the
    displacement :math:`G(x) - x` or :math:`\partial G/\partial x - I`: the library forms
    those itself (its fixed-point finder looks for the roots of :math:`G(x) - x`), and
    judges stability by :math:`|\mu| < 1` for the eigenvalues :math:`\mu` of
    :math:`\partial G/\partial x`.

    Parameters
    ----------
    G : callable
        The map :math:`G(x)`.
    dG : callable
        Its Jacobian :math:`\partial G/\partial x`, ``dG(x)[i, j]`` =
        :math:`\partial G_i/\partial x_j`.
    dim : int
        State dimension :math:`n`.
    curvature : callable, optional
        ``curvature(x, v)`` :math:`= \sum_k v_k \nabla^2 G_k(x)`, shape ``(n, n)`` (the same
        as for the displacement, whose second derivatives are those of :math:`G`). When left
        out it is computed by **central finite differences of** ``dG``.
    batched : bool, optional
        As in :func:`make_flow`: detected once when not given.
    check_at : array_like, shape (n,) or (B, n), optional
        As in :func:`make_flow`.

    Returns
    -------
    CallableMap
        A :class:`DynamicalSystem` with ``discrete = True``.

    Raises
    ------
    ValueError
        As in :func:`make_flow`; in particular ``dG`` equal to
        :math:`\partial G/\partial x - I` (the displacement's Jacobian) is refused, and so is
        a ``G`` that is the displacement :math:`G(x) - x` of the ``dG`` given.

    See Also
    --------
    make_flow : a flow :math:`\dot x = F(x)` from :math:`F` and :math:`J`.

    Examples
    --------
    The map :math:`x_{t+1} = \tanh(W x_t)`, with
    :math:`\partial G/\partial x = \operatorname{diag}(1 - G^2)\, W`, written for a batch
    ``x`` of shape ``(B, 2)``:

    >>> import numpy as np, rnnlab
    >>> W = np.array([[2.0, 0.5], [-0.5, 0.5]])
    >>> tanh_map = rnnlab.make_map(  # x_{t+1} = G(x): the map and its own Jacobian
    ...     G=lambda x: np.tanh(x @ W.T),
    ...     dG=lambda x: (1 - np.tanh(x @ W.T) ** 2)[..., None] * W,
    ...     dim=2,
    ... )
    >>> starts = rnnlab.grid_starts((-2, 2), (-2, 2), n=5)
    >>> fps = rnnlab.find_fixed_points(tanh_map, starts)
    >>> print(", ".join(f"{k} {(x.round(2) + 0).tolist()}" for x, k in zip(fps.x, fps.kind)))
    stable focus [-0.9, 0.65], stable focus [0.9, -0.65], saddle (1 unstable) [0.0, 0.0]
    >>> tanh_map.batched
    {'G': True, 'dG': True}

    Giving :math:`\partial G/\partial x - I` instead is caught when the map is built:

    >>> rnnlab.make_map(G=lambda x: np.tanh(x @ W.T),
    ...                 dG=lambda x: (1 - np.tanh(x @ W.T) ** 2)[..., None] * W - np.eye(2),
    ...                 dim=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: dG does not match central finite differences: it equals dG/dx - I, ...
    """
    return CallableMap(G, dG, dim=dim, curvature=curvature, batched=batched, check_at=check_at)
