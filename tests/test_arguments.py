"""Arguments: by position or keyword, every bad one named in its error."""
import array
import gc
import inspect
import tracemalloc

import pytest

import word_count
from counters import C_COUNTERS


def test_keywords_like_pyo3(count):
    assert count(contents="a b a", needle="a") == 2
    assert count("a b a", needle="a") == 2


def test_threads_keyword_only():
    assert word_count.search("a b a", "a", threads=1) == 2
    assert word_count.search("a b a", "a", threads=None) == 2
    assert word_count.search("a " * 300_000, "a", threads=3) == 300_000
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        word_count.search("a", "a", 1)


@pytest.mark.parametrize("threads", [0, -1, -(2**70)])
def test_threads_below_one_is_a_value_error(threads):
    with pytest.raises(ValueError, match="'threads' must be at least 1"):
        word_count.search("a", "a", threads=threads)


@pytest.mark.parametrize("threads", [1.0, "2", True, b"1", [1]])
def test_threads_not_an_int_is_a_type_error(threads):
    with pytest.raises(TypeError, match="'threads' must be int or None"):
        word_count.search("a", "a", threads=threads)


def test_huge_threads_is_clamped_not_an_error():
    assert word_count.search("a " * 200_000, "a", threads=2**70) == 200_000


@pytest.mark.parametrize("name, func", list(C_COUNTERS.items()))
def test_signatures(name, func):
    params = inspect.signature(func).parameters
    assert list(params)[:2] == ["contents", "needle"]
    assert func.__name__ == name
    assert func.__doc__.splitlines()[0]  # a summary under the signature line
    if name == "search":
        assert params["threads"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["threads"].default is None


def test_search_sequential_detached_is_the_same_function():
    assert word_count.search_sequential_detached is word_count.search_sequential_allow_threads


BAD_CALLS = [
    # (args, kwargs, exception, pattern)
    ((), {}, TypeError, "missing required argument 'contents'"),
    (("a",), {}, TypeError, "missing required argument 'needle'"),
    (("a", "a", "a", "a"), {}, TypeError, "positional arguments but 4 were given"),
    (("a",), {"contents": "a", "needle": "a"}, TypeError, "multiple values for argument 'contents'"),
    (("a", "a"), {"needles": "a"}, TypeError, "unexpected keyword argument 'needles'"),
    ((1, "a"), {}, TypeError, "argument 'contents' must be str, a bytes-like object or an Arrow column, not int"),
    (("a", None), {}, TypeError, "argument 'needle' must be str or a bytes-like object, not NoneType"),
    (("a", b"a"), {}, TypeError, "'contents' and 'needle' must both be str or both bytes-like, not str and bytes"),
    ((b"a", "a"), {}, TypeError, "'contents' and 'needle' must both be str or both bytes-like, not bytes and str"),
    ((memoryview(b"a b a")[::2], b"a"), {}, TypeError, "argument 'contents' must be a C-contiguous buffer"),
    ((b"a", memoryview(b"abc")[::2]), {}, TypeError, "argument 'needle' must be a C-contiguous buffer"),
]


@pytest.mark.parametrize("name", list(C_COUNTERS))
@pytest.mark.parametrize("args, kwargs, exc, pattern", BAD_CALLS)
def test_bad_calls_name_the_parameter(name, args, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        C_COUNTERS[name](*args, **kwargs)
    assert str(info.value).startswith(f"{name}()")


def test_search_py_rejects_mixed_and_non_bytes():
    with pytest.raises(TypeError, match="'contents' and 'needle'"):
        word_count.search_py("a", b"a")
    with pytest.raises(TypeError, match="argument 'contents'"):
        word_count.search_py(1, b"a")


def test_no_memory_growth_over_many_calls():
    """Widened needles over 256 bytes take the heap path; all of it is freed."""
    text = "\u0101 " + "a" * 400 + " x"
    needle = "a" * 400
    calls = [
        lambda: word_count.search(text, needle),
        lambda: word_count.search_sequential(text, needle),
        lambda: word_count.search_sequential_allow_threads(array.array("B", b"ab"), b"ab"),
        lambda: pytest.raises(TypeError, word_count.search, text, 1),
    ]
    for call in calls:
        call()
    gc.collect()
    tracemalloc.start()
    try:
        for call in calls:
            for _ in range(2_000):
                call()
        gc.collect()
        first = tracemalloc.get_traced_memory()[0]
        for call in calls:
            for _ in range(20_000):
                call()
        gc.collect()
        assert tracemalloc.get_traced_memory()[0] - first < 10_000
    finally:
        tracemalloc.stop()
