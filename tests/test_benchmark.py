"""The seed's benchmark: the Zen of Python 1000 times, needle "is".

Off in the test run (--benchmark-disable runs each once, as a test);
`nox -s bench` turns it on and prints the table.
"""
from concurrent.futures import ThreadPoolExecutor

import pytest

import word_count
from conftest import zen_of_python


@pytest.fixture(scope="session")
def contents() -> str:
    return zen_of_python() * 1000


def run_twice_with_threads(executor, contents, needle):
    future_1 = executor.submit(word_count.search_sequential_allow_threads, contents, needle)
    future_2 = executor.submit(word_count.search_sequential_allow_threads, contents, needle)
    return future_1.result() + future_2.result()


def test_word_count_c_parallel(benchmark, contents):
    count = benchmark(word_count.search, contents, "is")
    assert count == 10_000


def test_word_count_c_sequential(benchmark, contents):
    count = benchmark(word_count.search_sequential, contents, "is")
    assert count == 10_000


def test_word_count_c_sequential_twice_with_threads(benchmark, contents):
    with ThreadPoolExecutor(max_workers=2) as executor:
        count = benchmark(run_twice_with_threads, executor, contents, "is")
    assert count == 20_000


def test_word_count_python_sequential(benchmark, contents):
    count = benchmark(word_count.search_py, contents, "is")
    assert count == 10_000
