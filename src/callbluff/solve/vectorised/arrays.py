"""Reductions over a short last axis (a few types or fallbacks) for the vectorised
sweep kernels: NumPy's own reductions along such an axis are several times slower
than a loop of element-wise operations over it."""

from __future__ import annotations

from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def last_min(x: FloatArray) -> FloatArray:
    """``x.min(axis=-1)``."""
    out = x[..., 0].copy()
    for i in range(1, x.shape[-1]):
        np.minimum(out, x[..., i], out=out)
    return out


def last_max(x: FloatArray) -> FloatArray:
    """``x.max(axis=-1)``."""
    out = x[..., 0].copy()
    for i in range(1, x.shape[-1]):
        np.maximum(out, x[..., i], out=out)
    return out


def last_sum(x: FloatArray) -> FloatArray:
    """``x.sum(axis=-1)``."""
    out = x[..., 0].copy()
    for i in range(1, x.shape[-1]):
        out += x[..., i]
    return out


def last_count(x: BoolArray) -> np.ndarray[Any, np.dtype[np.int64]]:
    """``x.sum(axis=-1)`` of a boolean array, as integers."""
    out = x[..., 0].astype(np.int64)
    for i in range(1, x.shape[-1]):
        out += x[..., i]
    return out


__all__ = ["last_count", "last_max", "last_min", "last_sum"]
