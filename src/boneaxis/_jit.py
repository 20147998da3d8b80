"""One numba cache per boneaxis source tree.

Numba checks a cached kernel against the source file that defines it, not against the functions
it inlines from other files: after an upgrade (or an edit) that changes ``model/bone.py`` but not
``engine/integrator.py``, the integrator's stale machine code would be loaded and would silently
run the old equations.  Every boneaxis kernel is therefore cached under a directory named by a
digest of the whole package source, so any change to any file starts a fresh cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def source_digest(root: Path = PACKAGE_ROOT) -> str:
    """sha256 over the relative paths and contents of every ``.py`` file under ``root``."""
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def _package_cache_dir() -> str:
    return str(cache_dir())


def cache_dir(digest: str | None = None) -> Path:
    """Where this source tree's kernels are cached: under ``NUMBA_CACHE_DIR`` if the user set
    one, else the user cache directory (``XDG_CACHE_HOME`` or ``~/.cache``)."""
    digest = digest or source_digest()
    base = os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    path = root / "boneaxis" / f"numba-{digest[:16]}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError:      # read-only home: a per-user temporary directory
        path = Path(tempfile.gettempdir()) / f"boneaxis-numba-{digest[:16]}"
    return path


@contextmanager
def package_numba_cache():
    """Kernels decorated inside this block cache under :func:`cache_dir` (numba reads its cache
    location when a function is decorated); other numba users' settings are restored after."""
    from numba.core import config

    old = config.CACHE_DIR
    config.CACHE_DIR = _package_cache_dir()
    try:
        yield
    finally:
        config.CACHE_DIR = old


def njit(*args, **kwargs):
    """``numba.njit`` for boneaxis kernels: with ``cache=True`` they cache under
    :func:`cache_dir`, whenever their module is imported."""
    import numba

    if len(args) == 1 and callable(args[0]) and not kwargs:     # bare @njit
        with package_numba_cache():
            return numba.njit(args[0])

    def decorate(func):
        with package_numba_cache():
            return numba.njit(*args, **kwargs)(func)
    return decorate
