"""Optional GPU path for population runs: :func:`integrate_many_gpu`, one CUDA thread per patient.

The project never needs a GPU.  This module imports without CUDA (``numba.cuda`` is imported
lazily, on the first call), and :func:`integrate_many_gpu` raises :class:`GPUUnavailableError`
with the reason when numba-cuda or a CUDA device is missing; the CPU path is
:func:`boneaxis.population.batch.integrate_many`, which it matches in signature and result.

Nothing of the model or of the scheme is restated here: each CUDA thread runs
:func:`boneaxis.engine.integrator.integrate_kept`, the allocation-free stepping loop that
``integrate`` itself calls on the CPU (scratch arrays from ``cuda.local.array``), with the same
numba model functions.  On a GPU the only differences are the device's ``exp``/``pow``
(libdevice), ~1e-15 relative per call.

How the model functions reach the GPU: numba-cuda compiles ``@njit`` functions called from a
``@cuda.jit`` kernel for the CUDA target.  Where a numba-cuda version cannot, the fallback
(``BONEAXIS_GPU_MODE=retarget``, or automatic when the first compile fails) rebuilds each
``@njit`` function reachable from ``integrate_kept`` as a CUDA device function from its own
Python source object (``py_func``), with the module globals it reads rebound to the rebuilt
functions: still the same code objects, never a copy of the equations.  ``Params`` and
``PatientConstants`` are built from the array rows by a function generated from their field
count (numba-cuda cannot type the ``to_fixed_tuple`` that ``batch._params_row`` uses).

Checked on an NVIDIA H100 (numba 0.68.0, numba-cuda 0.30.4, numpy 2.5.2): both modes compile,
GPU vs ``batch.integrate_many`` max relative difference 1.6e-15, ~1.5 M five-year patients/s at
1M patients (``benchmarks/population_gpu.py``).
"""

from __future__ import annotations

import os
import types

import numpy as np
from .._jit import njit
from numba.core.registry import CPUDispatcher

from ..engine.integrator import N_CHANNELS, integrate_kept
from ..model.system import N_RELAX, N_STATES
from ..model.endocrine import PatientConstants
from ..model.parameters import Params

THREADS_PER_BLOCK = 128


def _row_to_tuple(cls):
    """``@njit`` function ``a -> cls(a[0], a[1], ...)`` (a NamedTuple from an array row), built
    from the field count: ``batch._params_row`` uses numba's ``to_fixed_tuple`` intrinsic, which
    numba-cuda cannot type."""
    n = len(cls._fields)
    src = f"def row(a):\n    return cls({', '.join(f'a[{i}]' for i in range(n))})\n"
    ns = {"cls": cls}
    exec(src, ns)  # noqa: S102 - generated from the field count only
    ns["row"].__name__ = f"_{cls.__name__.lower()}_row"
    return njit(ns["row"])


_params_row = _row_to_tuple(Params)
_pc_row = _row_to_tuple(PatientConstants)


class GPUUnavailableError(RuntimeError):
    """No usable CUDA GPU (numba-cuda missing, no driver or no device)."""


@njit(cache=True)
def _integrate_many_cpu(state0, u_half, steps_h, out_steps, prm, pcs, dest, n_rows):
    """What the kernel computes, on the CPU (serial): a check of the GPU path's row converters
    and ``dest`` mapping that needs no GPU; equal to ``batch.integrate_many`` bit for bit."""
    n = state0.shape[0]
    res = np.empty((n, n_rows, N_CHANNELS))
    x = np.empty(N_STATES)
    xm = np.empty(N_STATES)
    s = np.empty((6, N_RELAX))
    for i in range(n):
        integrate_kept(state0[i], u_half, steps_h, out_steps, _params_row(prm[i]),
                       _pc_row(pcs[i]), dest, res[i], x, xm, s[0], s[1], s[2], s[3], s[4], s[5])
    return res


# --- CUDA ----------------------------------------------------------------------------------

_state: dict = {}


def _cuda():
    """``numba.cuda`` if a CUDA device is usable, else GPUUnavailableError with the reason."""
    if "cuda" in _state:
        return _state["cuda"]
    if not hasattr(np, "row_stack"):
        # numba-cuda <= 0.30 registers an overload of np.row_stack (removed in numpy 2.4) when
        # it first compiles a kernel; give it the alias it expects (row_stack was vstack).
        np.row_stack = np.vstack
    try:
        from numba import cuda
    except Exception as exc:  # noqa: BLE001 - any import failure means no GPU path
        raise GPUUnavailableError(
            f"numba CUDA support is not importable ({type(exc).__name__}: {exc}); install "
            "numba-cuda on a machine with an NVIDIA GPU, or use "
            "boneaxis.population.batch.integrate_many (CPU)") from exc
    try:
        ok = cuda.is_available()
    except Exception as exc:  # noqa: BLE001
        raise GPUUnavailableError(f"CUDA is not usable: {type(exc).__name__}: {exc}") from exc
    if not ok:
        raise GPUUnavailableError(
            "no CUDA GPU available (numba.cuda.is_available() is False: no NVIDIA driver or "
            "device); use boneaxis.population.batch.integrate_many (CPU)")
    _state["cuda"] = cuda
    return cuda


def gpu_available() -> bool:
    """True if :func:`integrate_many_gpu` can run here."""
    try:
        _cuda()
    except GPUUnavailableError:
        return False
    return True


def gpu_name() -> str:
    cuda = _cuda()
    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def _retarget(disp, cuda, done: dict):
    """A CUDA device function built from ``disp.py_func`` (an ``@njit`` dispatcher), with the
    ``@njit`` functions it reads (directly or as ``module.function``) rebuilt the same way."""
    if disp in done:
        return done[disp]
    f = disp.py_func
    g = dict(f.__globals__)
    for name in f.__code__.co_names:
        v = g.get(name)
        if isinstance(v, CPUDispatcher):
            g[name] = _retarget(v, cuda, done)
        elif isinstance(v, types.ModuleType) and v.__name__.startswith("boneaxis."):
            proxy = types.ModuleType(v.__name__)
            for attr, val in vars(v).items():
                if isinstance(val, CPUDispatcher) and attr in _attr_names(f.__code__):
                    val = _retarget(val, cuda, done)
                setattr(proxy, attr, val)
            g[name] = proxy
    nf = types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)
    out = cuda.jit(device=True)(nf)
    done[disp] = out
    return out


def _attr_names(code) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _attr_names(c)
    return names


def _kernel(mode: str):
    key = ("kernel", mode)
    if key in _state:
        return _state[key]
    cuda = _cuda()
    from numba import float64

    if mode == "njit":
        step, prow, pcrow = integrate_kept, _params_row, _pc_row
    elif mode == "retarget":
        done: dict = {}
        step = _retarget(integrate_kept, cuda, done)
        prow = _retarget(_params_row, cuda, done)
        pcrow = _retarget(_pc_row, cuda, done)
    else:
        raise ValueError(f"unknown GPU mode {mode!r} (njit or retarget)")

    @cuda.jit
    def kernel(state0, u_half, steps_h, out_steps, prm, pcs, dest, res):
        i = cuda.grid(1)
        if i < state0.shape[0]:
            x = cuda.local.array(N_STATES, float64)
            xm = cuda.local.array(N_STATES, float64)
            target = cuda.local.array(N_RELAX, float64)
            rate = cuda.local.array(N_RELAX, float64)
            r_half = cuda.local.array(N_RELAX, float64)
            r_full = cuda.local.array(N_RELAX, float64)
            d_half = cuda.local.array(N_RELAX, float64)
            d_full = cuda.local.array(N_RELAX, float64)
            step(state0[i], u_half, steps_h, out_steps, prow(prm[i]), pcrow(pcs[i]), dest,
                 res[i], x, xm, target, rate, r_half, r_full, d_half, d_full)

    _state[key] = kernel
    return kernel


def _free_bytes(cuda) -> int:
    try:
        free, _ = cuda.current_context().get_memory_info()
        return int(free)
    except Exception:  # noqa: BLE001
        return 2 << 30


def integrate_many_gpu(state0, u_half, steps_h, out_steps, prm, pcs, rows, *,
                       chunk: int | None = None, threads_per_block: int = THREADS_PER_BLOCK,
                       mode: str | None = None):
    """As :func:`boneaxis.population.batch.integrate_many` (same arguments, same result
    (n, len(rows), N_CHANNELS)), on a CUDA GPU: one thread per patient, shared ``u_half``.

    ``chunk``: patients per launch (default: what fits in half the free GPU memory);
    ``mode``: ``"njit"`` (call the ``@njit`` model functions from the kernel) or
    ``"retarget"`` (rebuild them as CUDA device functions); default ``BONEAXIS_GPU_MODE`` or
    ``njit``, falling back to ``retarget`` if the first compile fails.
    Raises :class:`GPUUnavailableError` without a usable GPU.
    """
    cuda = _cuda()
    state0 = np.ascontiguousarray(state0, dtype=np.float64)
    prm = np.ascontiguousarray(prm, dtype=np.float64)
    pcs = np.ascontiguousarray(pcs, dtype=np.float64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    n = state0.shape[0]
    if n == 0:
        return np.empty((0, rows.shape[0], N_CHANNELS))
    kept, back = np.unique(rows, return_inverse=True)   # rows may repeat or be unordered
    dest = np.full(np.asarray(out_steps).shape[0], -1, dtype=np.int64)
    dest[kept] = np.arange(kept.shape[0])
    res = np.empty((n, kept.shape[0], N_CHANNELS))
    d_u = cuda.to_device(np.ascontiguousarray(u_half, dtype=np.float64))
    d_steps = cuda.to_device(np.ascontiguousarray(steps_h, dtype=np.float64))
    d_out = cuda.to_device(np.ascontiguousarray(out_steps, dtype=np.int64))
    d_dest = cuda.to_device(dest)
    per = 8 * (state0.shape[1] + prm.shape[1] + pcs.shape[1] + kept.shape[0] * N_CHANNELS)
    if chunk is None:
        chunk = max(1, min(n, _free_bytes(cuda) // (2 * per)))
    modes = [mode] if mode else (
        [os.environ["BONEAXIS_GPU_MODE"]] if os.environ.get("BONEAXIS_GPU_MODE")
        else [_state.get("mode", "njit")] + ([] if "mode" in _state else ["retarget"]))
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        args = (cuda.to_device(state0[s:e]), d_u, d_steps, d_out, cuda.to_device(prm[s:e]),
                cuda.to_device(pcs[s:e]), d_dest)
        d_res = cuda.device_array((e - s, kept.shape[0], N_CHANNELS))
        blocks = (e - s + threads_per_block - 1) // threads_per_block
        while True:
            m = modes[0]
            try:
                _kernel(m)[blocks, threads_per_block](*args, d_res)
                break
            except Exception as exc:  # noqa: BLE001 - compile failure: try the next mode
                if len(modes) == 1 or "mode" in _state:
                    raise
                _state.setdefault("errors", []).append(f"{m}: {type(exc).__name__}: {exc}")
                modes = modes[1:]
        _state["mode"] = m
        d_res.copy_to_host(res[s:e])
    cuda.synchronize()
    return res[:, back]


def gpu_mode() -> str | None:
    """The way the model functions were compiled for the GPU (``njit`` or ``retarget``), once
    :func:`integrate_many_gpu` has run; earlier compile failures are in ``gpu_errors()``."""
    return _state.get("mode")


def gpu_errors() -> list[str]:
    return list(_state.get("errors", []))


__all__ = ["GPUUnavailableError", "integrate_many_gpu", "gpu_available",
           "gpu_name", "gpu_mode", "gpu_errors"]
