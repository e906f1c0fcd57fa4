r"""Checks that a system keeps the library's conventions, by central finite differences.

A system's Jacobian must be the derivative of its right-hand side, :math:`F` for a flow or
the displacement :math:`G(x) - x` for a map (so :math:`\partial G/\partial x - I`); its curvature
must be the derivative of its Jacobian. :func:`jacobian_mismatch` and
:func:`curvature_mismatch` compare them along random unit directions with step
:math:`h \approx \varepsilon^{1/3}` (truncation :math:`\sim h^2` and round-off
:math:`\sim \varepsilon/h` balance there): an analytic derivative agrees to about
:math:`10^{-10}` relative, a wrong one (a missing identity, a transposition, a sign) is off
by order one. :func:`check_subclass` runs them once on a user's subclass of
:class:`rnnlab.dynamics.systems.DynamicalSystem` when it is constructed;
:func:`fd_curvature` is the default curvature of a system that gives none.
"""

from __future__ import annotations

import numpy as np

from rnnlab._internal.validation import as_states

__all__ = [
    "check_points",
    "check_subclass",
    "curvature_mismatch",
    "fd_curvature",
    "jacobian_mismatch",
    "missing_hook_message",
]

_EPS = np.finfo(float).eps
# Central differences: truncation (~h^2) and round-off (~eps/h) balance at h ~ eps^(1/3).
_FD_STEP = _EPS ** (1.0 / 3.0)
# An analytic derivative agrees with central differences to ~1e-10 relative; a wrong one
# (a missing identity, a transposition, a sign) is off by order 1.
_FD_RTOL = 1e-5


def fd_curvature(jacobian, X: np.ndarray, V: np.ndarray) -> np.ndarray:
    r""":math:`\sum_k V_k \nabla^2 F_k` by central differences of the Jacobian, symmetrised.

    Column :math:`j` is :math:`\partial_j (J^\top V)`, from :math:`J(x \pm h e_j)`: two
    Jacobian evaluations per coordinate, done for the whole batch at once.
    """
    B, n = X.shape
    h = _FD_STEP * np.maximum(1.0, np.abs(X).max(axis=1, initial=0.0))
    C = np.empty((B, n, n))
    for j in range(n):
        Xp, Xm = X.copy(), X.copy()
        Xp[:, j] += h
        Xm[:, j] -= h
        Jpm = jacobian(np.concatenate([Xp, Xm]))
        step = (Xp[:, j] - Xm[:, j])[:, None]  # the step actually taken, after rounding
        C[:, :, j] = np.einsum("bki,bk->bi", Jpm[:B] - Jpm[B:], V) / step
    return 0.5 * (C + np.swapaxes(C, 1, 2))


def _unit_directions(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    V = rng.standard_normal((count, n))
    return V / np.linalg.norm(V, axis=1, keepdims=True)


def jacobian_mismatch(
    f, J: np.ndarray, X: np.ndarray, names: tuple[str, str] = ("f", "J"), seed: int = 0
) -> tuple[str, str] | None:
    r"""Compare :math:`J(x) v` with central differences of ``f`` along random unit ``v``.

    Returns ``None`` when they agree, else ``(kind, detail)``: kind ``'+I'`` or ``'-I'``
    when :math:`J = \partial f/\partial x \pm I` (the map/flow confusion), ``'transposed'``
    when :math:`J^\top` matches, ``'not finite'`` or ``'other'``.
    """
    n = X.shape[1]
    x = np.repeat(X, 2, axis=0)  # two directions per point
    v = _unit_directions(np.random.default_rng(seed), len(x), n)
    h = (_FD_STEP * np.maximum(1.0, np.abs(x).max(axis=1)))[:, None]
    with np.errstate(all="ignore"):
        Fpm = f(np.concatenate([x + h * v, x - h * v]))
        fd = (Fpm[: len(x)] - Fpm[len(x) :]) / (2.0 * h)
        Fx = np.repeat(f(X), 2, axis=0)
    Jx = np.repeat(J, 2, axis=0)
    Jv = np.einsum("sij,sj->si", Jx, v)
    if not (np.all(np.isfinite(fd)) and np.all(np.isfinite(Jv))):
        return "not finite", "the function or its Jacobian is not finite near the check points"
    norm = np.linalg.norm
    scale = np.maximum.reduce([np.ones(len(x)), norm(Jv, axis=1), norm(fd, axis=1)])
    tol = _FD_RTOL * scale + 1e3 * _EPS * np.abs(Fx).max(axis=1) / h[:, 0]
    err = norm(Jv - fd, axis=1)
    if np.all(err <= tol):
        return None
    s = int(np.argmax(err / tol))
    fn, Jn = names
    detail = (
        f"at x = {np.array2string(x[s], precision=3, threshold=6)}, "
        f"|{Jn}(x) v - ({fn}(x + h v) - {fn}(x - h v)) / 2h| = {err[s]:.2e} for "
        f"|{Jn}(x) v| = {norm(Jv[s]):.2e}, v a random unit vector, h = {h[s, 0]:.1e}"
    )
    for kind, candidate in (
        ("+I", Jv - v),
        ("-I", Jv + v),
        ("transposed", np.einsum("sji,sj->si", Jx, v)),
    ):
        if np.all(norm(candidate - fd, axis=1) <= tol):
            return kind, detail
    return "other", detail


def curvature_mismatch(jac, curv, X: np.ndarray, seed: int = 1) -> str | None:
    r"""Compare :math:`C(x, w)\, v` with central differences of :math:`J(x)^\top w` along ``v``.

    Returns ``None`` when they agree, else a sentence saying where they differ.
    """
    B, n = X.shape
    rng = np.random.default_rng(seed)
    v = _unit_directions(rng, B, n)
    w = _unit_directions(rng, B, n)
    h = (_FD_STEP * np.maximum(1.0, np.abs(X).max(axis=1)))[:, None]
    with np.errstate(all="ignore"):
        Jpm = jac(np.concatenate([X + h * v, X - h * v]))
        fd = np.einsum("bki,bk->bi", Jpm[:B] - Jpm[B:], w) / (2.0 * h)
        Cv = np.einsum("bij,bj->bi", curv(X, w), v)
        scale_J = np.abs(jac(X)).max(axis=(1, 2))
    if not (np.all(np.isfinite(fd)) and np.all(np.isfinite(Cv))):
        return None  # cannot compare where the system is not finite
    norm = np.linalg.norm
    tol = _FD_RTOL * np.maximum.reduce([np.ones(B), norm(Cv, axis=1), norm(fd, axis=1)])
    tol += 1e3 * _EPS * scale_J / h[:, 0]
    err = norm(Cv - fd, axis=1)
    if np.all(err <= tol):
        return None
    s = int(np.argmax(err / tol))
    return (
        f"at x = {np.array2string(X[s], precision=3, threshold=6)} it differs from central "
        f"differences of the Jacobian by {err[s]:.2e} (for a size {norm(Cv[s]):.2e})"
    )


def check_points(check_at, dim: int) -> np.ndarray:
    """The states at which a new system is checked: given, or two fixed random ones."""
    if check_at is None:
        return np.random.default_rng(20240601).uniform(-0.5, 0.5, size=(2, dim))
    X, _ = as_states(check_at, dim, "check_at")
    if len(X) == 0:
        raise ValueError("check_at must hold at least one state")
    return X


# -- user subclasses of DynamicalSystem ----------------------------------------------------

_HOOKS = {
    "_rhs": "_rhs(self, X) returning F(X), shape (B, N), for a batch X of shape (B, N)",
    "_jacobian": (
        "_jacobian(self, X) returning the Jacobian dF/dx, shape (B, N, N), with "
        "[b, i, j] = dF_i/dx_j at X[b]"
    ),
}


def missing_hook_message(cls: type, name: str) -> str:
    msg = f"{cls.__name__} must define {_HOOKS[name]}"
    public = name.lstrip("_")
    if public in cls.__dict__:
        msg += (
            f" (it defines {public}: the base class's public {public} validates its input "
            f"and calls {name}; rename yours to {name} and make it batched)"
        )
    return msg + (
        ". Or build the system from plain functions with rnnlab.make_flow(F, J) / "
        "rnnlab.make_map(G, dG)."
    )


def _hook_output(func, label: str, args: tuple, shape: tuple) -> np.ndarray:
    try:
        with np.errstate(all="ignore"):
            out = func(*args)
    except Exception as exc:
        exc.add_note(
            f"raised by {label} when rnnlab checked it on a batch of states of shape "
            f"{args[0].shape} (the hooks are batched: X[b] is one state)"
        )
        raise
    out = np.asarray(out)
    if out.dtype == object or not np.issubdtype(out.dtype, np.number) or np.iscomplexobj(out):
        raise TypeError(f"{label} must return a real array, got dtype {out.dtype}")
    if out.shape != shape:
        raise ValueError(
            f"{label} must return an array of shape {shape} for a batch X of shape "
            f"{args[0].shape}, got shape {out.shape} (the hooks are batched: X[b] is one state)"
        )
    return out.astype(float, copy=False)


def _subclass_convention_message(cls: type, discrete: bool, kind: str, detail: str) -> str:
    name = cls.__name__
    if kind == "+I" and discrete:
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs plus the identity: it looks like "
            "dG/dx of the map. With discrete = True, _rhs returns the displacement "
            "F(x) = G(x) - x and _jacobian must return its Jacobian dG/dx - I"
        )
    elif kind == "+I":
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs plus the identity. For a flow "
            "(discrete = False) it must return dF/dx of _rhs. If this system is a map "
            "x_{t+1} = G(x), set discrete = True and return G(X) - X from _rhs and "
            "dG/dx - I from _jacobian"
        )
    elif kind == "-I" and discrete:
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs minus the identity. With "
            "discrete = True, _rhs must return the displacement G(X) - X (not G(X)) and "
            "_jacobian dG/dx - I"
        )
    elif kind == "-I":
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs minus the identity; for a flow "
            "(discrete = False) it must return dF/dx of _rhs"
        )
    elif kind == "transposed":
        why = f"{name}._jacobian looks transposed: [b, i, j] must be dF_i/dx_j"
    else:
        why = f"{name}._jacobian does not match central finite differences of {name}._rhs"
    return f"{why} ({detail}). Or build it with rnnlab.make_flow(F, J) / rnnlab.make_map(G, dG)."


def _overrides(cls: type, name: str, base: type) -> bool:
    return getattr(cls, name) is not getattr(base, name)


def check_subclass(system, base: type) -> None:
    """Check a newly constructed system's contract; the full check only for user classes.

    ``base`` is :class:`rnnlab.dynamics.systems.DynamicalSystem`, whose default hooks tell
    which methods a subclass left out (passed in: that module imports this one).

    Required hooks and ``dim`` are checked for every class (cheap). Shapes and derivatives
    are checked for classes defined outside rnnlab; the systems rnnlab ships are compared
    with finite differences by its test suite instead, and some are built in loops.
    """
    cls = type(system)
    for hook in ("_rhs", "_jacobian"):
        if not _overrides(cls, hook, base):
            raise TypeError(missing_hook_message(cls, hook))
    dim = getattr(system, "dim", None)
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
        raise TypeError(
            f"{cls.__name__} must set dim, the state dimension N (an int >= 1), as a class "
            f"attribute or in __init__; got {dim!r}"
        )
    if not isinstance(system.discrete, bool | np.bool_):
        raise TypeError(
            f"{cls.__name__}.discrete must be True (a map) or False (a flow), got {system.discrete!r}"
        )
    if cls.__module__ == "rnnlab" or cls.__module__.startswith("rnnlab."):
        return
    _check_hooks(system, check_points(None, int(dim)), base)


def _check_hooks(system, X: np.ndarray, base: type) -> None:
    cls = type(system)
    name = cls.__name__
    B, n = X.shape
    F = _hook_output(system._rhs, f"{name}._rhs", (X,), (B, n))
    J = _hook_output(system._jacobian, f"{name}._jacobian", (X,), (B, n, n))
    if _overrides(cls, "_gauss_newton", base):
        _hook_output(system._gauss_newton, f"{name}._gauss_newton", (X, J), (B, n, n))
    curvature = _overrides(cls, "_curvature", base)
    if curvature:
        _hook_output(system._curvature, f"{name}._curvature", (X, F), (B, n, n))
    if not (np.all(np.isfinite(F)) and np.all(np.isfinite(J))):
        return  # outside the system's domain: nothing to compare
    found = jacobian_mismatch(system._rhs, J, X, (f"{name}._rhs", f"{name}._jacobian"))
    if found is not None and found[0] != "not finite":
        raise ValueError(_subclass_convention_message(cls, bool(system.discrete), *found))
    if curvature:
        where = curvature_mismatch(system._jacobian, system._curvature, X)
        if where is not None:
            raise ValueError(
                f"{name}._curvature(X, V) must return sum_k V_k d2F_k/dx dx, shape (B, N, N); "
                f"{where}. Leave it out to have it by finite differences."
            )
