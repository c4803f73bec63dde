"""Subinterpreters: word_count imports, counts and is destroyed in them, from
several threads at once, all sharing one process-wide pool.

The API moved with each release: `_xxsubinterpreters` (3.11, 3.12),
`_interpreters` (3.13), `concurrent.interpreters` (PEP 734, 3.14+, with
`InterpreterPoolExecutor`). Each interpreter from 3.12 on has a GIL of its own
(PEP 684), which the module allows (Py_mod_multiple_interpreters).
"""
import importlib.util
import os
import sys
import threading

import pytest

import word_count

PACKAGE_ROOT = os.path.dirname(os.path.dirname(word_count.__file__))

COUNT_IN_INTERPRETER = f"""
import sys
sys.path.insert(0, {PACKAGE_ROOT!r})
import word_count
text = "is it is\\n" * 200_000
assert word_count.search(text, "is", threads=2) == 400_000
assert word_count.search(text.encode(), b"is", threads=2) == 400_000
assert word_count.search_sequential_allow_threads(bytearray(b"a b a"), b"a") == 2
assert word_count.search_sequential(text + "\\u0101", "is") == 400_000
words = word_count.counts(text * 3, threads=2)  # past a megabyte: on the pool
assert type(words).__name__ == "Counter" and list(words.items()) == [("is", 1_200_000), ("it", 600_000)]
tally = word_count._wordcount._Tally()
assert len(tally) == 0
# The rules; the fold table is made by whichever interpreter folds first.
russian = "Файл файл ФАЙЛ\u3000файл\u00a0и " * 50_000
assert word_count.search(russian, "файл", sep=None, fold="casefold", threads=2) == 200_000
assert word_count.counts(russian, sep=None, fold="lower")["файл"] == 200_000
"""


class Interpreter:
    """One subinterpreter, whichever module this Python offers."""

    def __init__(self):
        if importlib.util.find_spec("concurrent.interpreters"):
            from concurrent import interpreters
            self._interp = interpreters.create()
            self.exec, self.close = self._interp.exec, self._interp.close
        elif importlib.util.find_spec("_interpreters"):
            import _interpreters
            self._id = _interpreters.create()
            self.close = lambda: _interpreters.destroy(self._id)

            def run(code):
                failure = _interpreters.exec(self._id, code)
                if failure is not None:
                    raise RuntimeError(f"{failure.type.__name__}: {failure.msg}")
            self.exec = run
        elif importlib.util.find_spec("_xxsubinterpreters"):
            import _xxsubinterpreters
            self._id = _xxsubinterpreters.create()
            self.exec = lambda code: _xxsubinterpreters.run_string(self._id, code)
            self.close = lambda: _xxsubinterpreters.destroy(self._id)
        else:
            pytest.skip("this Python has no subinterpreter module")


def test_import_count_destroy():
    interp = Interpreter()
    try:
        interp.exec(COUNT_IN_INTERPRETER)
    finally:
        interp.close()
    assert word_count.search("is it is\n" * 200_000, "is", threads=2) == 400_000


def test_an_error_inside_is_reported():
    interp = Interpreter()
    try:
        with pytest.raises(Exception, match="threads"):
            interp.exec(f"import sys; sys.path.insert(0, {PACKAGE_ROOT!r})\n"
                        "import word_count; word_count.search('a', 'a', threads=0)")
    finally:
        interp.close()


def test_many_interpreters_from_many_threads_share_the_pool():
    """Four threads, each making three interpreters in turn that count on
    two threads, while the main interpreter counts too."""
    errors = []

    def worker():
        try:
            for _ in range(3):
                interp = Interpreter()
                try:
                    interp.exec(COUNT_IN_INTERPRETER)
                finally:
                    interp.close()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(20):
        assert word_count.search("is it is\n" * 100_000, "is", threads=2) == 200_000
    for t in threads:
        t.join()
    assert not errors


@pytest.mark.skipif(sys.version_info < (3, 14), reason="InterpreterPoolExecutor: 3.14+")
def test_interpreter_pool_executor():
    from concurrent.futures import InterpreterPoolExecutor
    texts = [("is it is\n" * (1000 * k), "is") for k in range(1, 9)]
    with InterpreterPoolExecutor(max_workers=2) as executor:
        counts = list(executor.map(word_count.search, *zip(*texts)))
    assert counts == [2000 * k for k in range(1, 9)]
