"""Checks at the public boundary, with messages a student can act on."""

from __future__ import annotations

import numpy as np


def check_real(arr: np.ndarray, name: str) -> None:
    """Raise unless ``arr`` holds real numbers (not objects, strings or complex values)."""
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got a complex array")


def as_matrix(a, name: str, *, square: bool = False, shape: tuple | None = None) -> np.ndarray:
    """Return ``a`` as a finite float64 2-D array, or raise naming ``name``."""
    arr = np.asarray(a)
    check_real(arr, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got an array of shape {arr.shape}")
    if square and arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square, got shape {arr.shape}")
    if square and arr.shape[0] == 0:
        raise ValueError(
            f"{name} must be at least 1 x 1: a system needs one unit or more, got shape {arr.shape}"
        )
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape, strict=True)):
            if want is not None and want != got:
                raise ValueError(
                    f"{name} must have shape {tuple('*' if s is None else s for s in shape)}, "
                    f"got {arr.shape} (axis {axis} should be {want})"
                )
    arr = arr.astype(np.float64, copy=True)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def as_vector(a, name: str, *, size: int | None = None) -> np.ndarray:
    """Return ``a`` as a finite float64 1-D array, or raise naming ``name``."""
    arr = np.asarray(a)
    check_real(arr, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector, got an array of shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise ValueError(f"{name} must have length {size}, got {arr.shape[0]}")
    arr = arr.astype(np.float64, copy=True)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def as_states(x, dim: int, name: str = "x") -> tuple[np.ndarray, bool]:
    """Return states as a float64 ``(B, dim)`` array and whether one state ``(dim,)`` was given."""
    arr = np.asarray(x)
    check_real(arr, name)
    if arr.ndim == 1:
        single = True
        arr = arr[None, :]
    elif arr.ndim == 2:
        single = False
    else:
        raise ValueError(
            f"{name} must have shape ({dim},) or (n_states, {dim}), got an array of shape {arr.shape}"
        )
    if arr.shape[1] != dim:
        raise ValueError(
            f"{name} must have shape ({dim},) or (n_states, {dim}) for this {dim}-dimensional "
            f"system, got {np.asarray(x).shape}"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr, single


def as_state_stack(x, dim: int, name: str = "x") -> np.ndarray:
    """Return states ``(dim,)`` or ``(..., dim)`` as a finite float64 array, or raise naming ``name``."""
    arr = np.asarray(x)
    check_real(arr, name)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have shape ({dim},) or (..., {dim}) (its last axis is the state of the "
            f"{dim} units), got an array of shape {arr.shape}"
        )
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int > 0, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def positive_float(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0), or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value
