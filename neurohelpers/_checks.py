"""Input validation shared by the models (private)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


def positive(name: str, value: float) -> float:
    """Return ``value`` as float, or raise ``ValueError`` if it is not finite and > 0."""
    value = as_float(name, value, allow_inf=True)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def finite(name: str, value: float) -> float:
    """Return ``value`` as float, or raise ``ValueError`` if it is NaN or infinite."""
    value = as_float(name, value, allow_inf=True)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def non_negative(name: str, value: float) -> float:
    """Return ``value`` as float, or raise ``ValueError`` if it is negative or not finite."""
    value = as_float(name, value, allow_inf=True)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def current_2d(I) -> tuple[np.ndarray, bool]:
    """Check an input current and return it as a C-contiguous (batch, n) float64 array.

    Parameters
    ----------
    I : array_like
        Current samples, shape (n,) or (batch, n).

    Returns
    -------
    I2 : numpy.ndarray
        Shape (batch, n), float64, C-contiguous.
    was_1d : bool
        True if the input was one trace.
    """
    I2, was_1d, _ = _current_2d_peak(I)
    return I2, was_1d


def _current_2d_peak(I) -> tuple[np.ndarray, bool, float]:
    """:func:`current_2d` and the largest ``|I|`` (one pass checks finiteness and finds it)."""
    arr = real_array("I", I)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"I must be 1-D (n,) or 2-D (batch, n); got an array with shape {arr.shape}"
        )
    if arr.shape[-1] < 1:
        raise ValueError("I must have at least one time sample")
    I2 = np.ascontiguousarray(np.atleast_2d(arr))
    peak = peak_abs(I2)
    if not math.isfinite(peak):
        raise ValueError("I contains NaN or infinite values; every current sample must be finite")
    return I2, arr.ndim == 1, peak


def drive(I, gain) -> tuple[np.ndarray, np.ndarray, bool]:
    """Check an input current and an optional per-neuron gain.

    Returns ``(I2, gains, was_1d)``: ``I2`` of shape (rows, n) where rows is the
    batch size, or 1 when one waveform is shared and neuron b receives
    ``gains[b] * I2[0]``; ``gains`` of shape (batch,) (ones without a gain).
    """
    I2, gains, was_1d, _, _ = drive_with_peaks(I, gain)
    return I2, gains, was_1d


def drive_with_peaks(I, gain) -> tuple[np.ndarray, np.ndarray, bool, float, float]:
    """:func:`drive` and the largest ``|I|`` and ``|gain|`` (1.0 without a gain; 0.0 for an
    empty batch)."""
    I2, was_1d, peak_I = _current_2d_peak(I)
    if gain is None:
        return I2, np.ones(I2.shape[0]), was_1d, peak_I, 1.0 if I2.shape[0] else 0.0
    if not was_1d:
        raise ValueError("with gain=..., I must be one 1-D waveform shared by the batch")
    gains = real_array("gain", gain)
    if gains.ndim == 0:  # one neuron driven by gain * I: a 1-D result like I
        if not np.isfinite(gains):
            raise ValueError("gain contains NaN or infinite values")
        gains = gains.reshape(1).copy()
        return I2, gains, True, peak_I, abs(float(gains[0]))
    gains = np.ascontiguousarray(gains)  # (this would turn a 0-d gain into shape (1,))
    if gains.ndim != 1 or gains.size == 0:
        raise ValueError(f"gain must be a non-empty 1-D array, got shape {gains.shape}")
    peak_gain = peak_abs(gains)
    if not math.isfinite(peak_gain):
        raise ValueError("gain contains NaN or infinite values")
    return I2, gains, False, peak_I, peak_gain


def peak_abs(values: np.ndarray) -> float:
    """Largest ``|x|`` of a C-contiguous float64 array: inf if one is infinite, NaN if one is
    NaN, 0.0 if it is empty (one pass, no temporary array)."""
    return float(_peak_abs(values.reshape(-1)))


@njit(cache=True)
def _peak_abs(values):
    peak = 0.0
    nan = False
    for i in range(values.size):
        a = abs(values[i])
        peak = a if a > peak else peak
        nan |= a != a
    return math.nan if nan else peak


def method_name(method: str, known: tuple[str, ...]) -> str:
    """Return ``method`` if it is one of ``known``, else raise ``ValueError``."""
    if method not in known:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(known)}")
    return method


def initial_value(name: str, value, batch: int) -> np.ndarray:
    """Broadcast a scalar or per-row initial value to a (batch,) float64 array."""
    if type(value) is float:  # the common case, without the array checks
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite")
        return np.full(batch, value)
    arr = real_array(name, value)
    if arr.ndim == 0:
        arr = np.full(batch, float(arr))
    if arr.shape != (batch,):
        raise ValueError(f"{name} must be a scalar or have shape ({batch},); got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return np.ascontiguousarray(arr)


def step_limit_message(dt: float, max_dt: float, scheme: str, why: str) -> str | None:
    """Why ``dt`` (ms) is too coarse for a scheme with limit ``max_dt``, or None if it is fine."""
    if dt <= max_dt:
        return None
    return (
        f"dt={dt:g} ms is too coarse for the {scheme} scheme: {why} "
        f"(limit {max_dt:g} ms). Use a smaller dt or the default exact/accurate method; "
        "pass allow_unstable=True only to reproduce the artefact on purpose."
    )


def time_step(dt: float, max_dt: float, scheme: str, why: str, allow_unstable: bool) -> float:
    """Check ``dt`` > 0 and, unless overridden, below the scheme's bound ``max_dt`` (ms)."""
    dt = positive("dt", dt)
    message = step_limit_message(dt, max_dt, scheme, why)
    if message and not allow_unstable:
        raise ValueError(message)
    return dt


def nonzero(name: str, value: float) -> float:
    """Return ``value`` as float, or raise ``ValueError`` if it is zero or not finite."""
    value = finite(name, value)
    if value == 0.0:
        raise ValueError(f"{name} must be a finite nonzero number, got {value!r}")
    return value


def real_array(name: str, value) -> np.ndarray:
    """``value`` as a float64 array; ``ValueError`` naming ``name`` for complex, text or
    other non-numeric input (no ComplexWarning, no unrelated TypeError)."""
    if type(value) is np.ndarray and value.dtype == np.float64:  # already one: as is
        return value
    if isinstance(value, (str, bytes)) or np.iscomplexobj(value):
        raise ValueError(f"{name} must be real numbers, got {type(value).__name__} {value!r:.80}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be real numbers, got {value!r:.80}") from None


def as_float(name: str, value, allow_inf: bool = False) -> float:
    """``value`` (a real scalar or 0-d array) as a Python float, or a ``ValueError``
    naming ``name``: for complex, text, arrays with more than 0 dimensions (no numpy
    DeprecationWarning), NaN, and infinities unless ``allow_inf``."""
    if type(value) is float:  # the common case, without the array checks
        if math.isnan(value) or (math.isinf(value) and not allow_inf):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return value
    if isinstance(value, (str, bytes)) or np.iscomplexobj(value):
        raise ValueError(f"{name} must be a real number, got {type(value).__name__} {value!r:.80}")
    try:
        arr = np.asarray(value)
        if arr.ndim != 0:
            raise ValueError(f"{name} must be a scalar, got an array of shape {arr.shape}")
        out = float(arr)
    except (TypeError, ValueError) as err:
        detail = str(err) if str(err).startswith(name) else f"{name} must be a real number, got {value!r:.80}"
        raise ValueError(detail) from None
    if math.isnan(out) or (math.isinf(out) and not allow_inf):
        raise ValueError(f"{name} must be finite, got {out!r}")
    return out


def store_floats(obj, names: tuple[str, ...], allow_inf: tuple[str, ...] = ()) -> None:
    """Replace each named field of a frozen dataclass by its finite float value (on construction).

    A 0-d array or other number-like parameter would otherwise stay stored as passed
    (mutable, or not a float); this runs once in ``__post_init__``.
    """
    for name in names:
        object.__setattr__(obj, name, as_float(name, getattr(obj, name), allow_inf=name in allow_inf))
