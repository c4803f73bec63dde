"""The package's surface: names, stubs, docstrings, reference counts."""
import ast
import importlib.metadata
import pathlib
import sys

import pytest

import word_count
from child import run_python


def test_stubs_and_marker_ship_beside_the_module():
    package = pathlib.Path(word_count.__file__).parent
    assert (package / "py.typed").exists()
    stub = ast.parse((package / "__init__.pyi").read_text())
    stubbed = {node.name for node in ast.walk(stub) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    stubbed |= {t.id for node in ast.walk(stub) if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])}
    assert set(word_count.__all__) <= stubbed


def test_the_public_names_are_all_and_only_all():
    """No stray names (such as `annotations` from a __future__ import); the
    submodule word_count.dask appears once something imported it."""
    public = {name for name in dir(word_count) if not name.startswith("_")}
    assert public - {"dask"} == set(word_count.__all__)


def test_the_licence_is_declared_and_shipped():
    metadata = importlib.metadata.metadata("word_count")
    assert metadata["License-Expression"] == "MIT"
    files = [str(f) for f in importlib.metadata.files("word_count")]
    assert any(f.endswith("licenses/LICENSE") for f in files), files


def test_every_public_name_has_a_docstring():
    for name in word_count.__all__:
        if callable(getattr(word_count, name)):
            assert getattr(word_count, name).__doc__, name


def test_simd_names_a_backend_this_cpu_runs():
    assert word_count.simd in word_count._wordcount._backends()
    assert "scalar" in word_count._wordcount._backends()


def test_successful_calls_keep_reference_counts():
    text, needle = "is it is " * 100, "is"
    data, bneedle = bytearray(text.encode()), bytearray(b"is")
    before = [sys.getrefcount(o) for o in (text, needle, data, bneedle)]
    for _ in range(10_000):
        word_count.search(text, needle)
        word_count.search_sequential(data, bneedle)
        word_count.search_sequential_allow_threads(memoryview(data), bneedle)
    assert [sys.getrefcount(o) for o in (text, needle, data, bneedle)] == before


@pytest.mark.parametrize("backend", word_count._wordcount._backends())
def test_word_count_backend_forces_a_backend(backend):
    code = "import word_count as w; print(w.simd, w.search('a b a', 'a'))"
    assert run_python(code, WORD_COUNT_BACKEND=backend).split() == [backend, "2"]


def test_unknown_word_count_backend_fails_the_import():
    with pytest.raises(AssertionError, match="WORD_COUNT_BACKEND names no backend this "
                       "CPU runs: 'vax'"):
        run_python("import word_count", WORD_COUNT_BACKEND="vax")
