"""Compiled kernels are cached per source tree, so an edit or upgrade never runs stale code."""

from pathlib import Path

from boneaxis import _jit


def _tree(tmp_path: Path, bone_text: str) -> Path:
    root = tmp_path / "pkg"
    (root / "model").mkdir(parents=True, exist_ok=True)
    (root / "engine").mkdir(exist_ok=True)
    (root / "engine" / "integrator.py").write_text("def integrate(): ...\n")
    (root / "model" / "bone.py").write_text(bone_text)
    return root


def test_digest_changes_when_any_file_changes_not_only_the_callers(tmp_path):
    # numba stamps a kernel with its own file; the integrator inlines bone.py, so a change to
    # bone.py alone must still give a new cache
    a = _jit.source_digest(_tree(tmp_path / "a", "def rate(x):\n    return x\n"))
    b = _jit.source_digest(_tree(tmp_path / "b", "def rate(x):\n    return 2 * x\n"))
    assert a != b
    assert a == _jit.source_digest(_tree(tmp_path / "c", "def rate(x):\n    return x\n"))


def test_package_kernels_cache_under_the_digest_directory():
    from boneaxis.engine import integrator, reference
    from boneaxis.model import system
    where = _jit.cache_dir()
    assert where.name == f"numba-{_jit.source_digest()[:16]}"
    for kernel in (integrator.integrate, system.derivatives, reference._rhs):
        assert str(kernel._cache._cache_path).startswith(str(where))


def test_other_numba_users_keep_their_cache_setting():
    from numba.core import config
    before = config.CACHE_DIR
    with _jit.package_numba_cache():
        assert config.CACHE_DIR == str(_jit.cache_dir())
    assert config.CACHE_DIR == before
