"""Thread limits for small numeric work."""

from __future__ import annotations

import contextlib

_blas = None


def one_blas_thread():
    """A context in which BLAS uses one thread. One user's scoring is a few small matrix
    products: a multi-threaded BLAS only adds thread wake-ups (12 ms instead of 0.06 ms per
    product on a busy 2-core machine)."""
    global _blas
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - an optional speed-up
        return contextlib.nullcontext()
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")
