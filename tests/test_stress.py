"""Stress and edges: many threads at once, buffers that end at an unreadable
page, and every error path repeated until a leak would show."""
import ctypes
import gc
import mmap
import sys
import threading
import tracemalloc

import pytest

import word_count
from word_count._wordcount import _backends, _count_with

FORMS = {1: "", 2: "\u0101", 4: "\U0001f600"}


def make_inputs():
    """Texts of every size class and form, with their expected counts."""
    inputs = []
    for size in (0, 1, 63, 1000, 70_000, 300_000, 1_500_000):
        for form, extra in FORMS.items():
            text = ("is it\r\nis " * (size // 10 + 1))[:size]
            if size:
                text = text[:-1] + (extra or "x")
            inputs.append((text, word_count.search_py(text, "is")))
        data = ("is it\r\nis " * (size // 10 + 1))[:size].encode()
        inputs.append((data, word_count.search_py(data, b"is")))
    return inputs


@pytest.mark.parametrize("nthreads", [32, 48])
def test_many_python_threads_call_every_counter(nthreads):
    inputs = make_inputs()
    counters = [
        lambda c, n: word_count.search(c, n),
        lambda c, n: word_count.search(c, n, threads=3),
        word_count.search_sequential,
        word_count.search_sequential_allow_threads,
    ]
    errors = []
    start = threading.Barrier(nthreads)

    def run(index):
        start.wait()
        for k in range(len(inputs) * 2):
            text, expected = inputs[(index + k) % len(inputs)]
            needle = "is" if isinstance(text, str) else b"is"
            got = counters[(index + k) % len(counters)](text, needle)
            if got != expected:
                errors.append((index, k, got, expected))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a counting thread hung"
    assert errors == []


PAGE = mmap.PAGESIZE
libc = ctypes.CDLL(None, use_errno=True)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


class GuardedBuffer:
    """Bytes that end exactly where an unreadable page begins: any read past
    their end is a segmentation fault."""

    def __init__(self, pages=1):
        self.map = mmap.mmap(-1, (pages + 1) * PAGE)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self.map))
        if libc.mprotect(address + pages * PAGE, PAGE, 0) != 0:  # PROT_NONE
            raise OSError(ctypes.get_errno(), "mprotect")
        self.end = pages * PAGE

    def holding(self, data: bytes) -> memoryview:
        start = self.end - len(data)
        self.map[start:self.end] = data
        return memoryview(self.map)[start:self.end]


@pytest.fixture(scope="module")
def guarded():
    return GuardedBuffer(pages=1), GuardedBuffer(pages=1)


@pytest.mark.parametrize("backend", _backends())
def test_inputs_that_end_at_an_unreadable_page(guarded, backend):
    text_page, needle_page = guarded
    pattern = b"is it\r\nis  his is\r is\n"
    for needle in (b"", b"i", b"is", b"is\r", b"his", b"x" * 70):
        guarded_needle = needle_page.holding(needle)
        for length in range(601):
            data = (pattern * (length // len(pattern) + 1))[:length]
            text = text_page.holding(data)
            expected = word_count.search_py(data, needle)
            for threads in (1, 3):
                got = _count_with(text, guarded_needle, backend, threads=threads,
                                  parallel_min_bytes=0)
                assert got == expected, (backend, needle, length, threads)
            text.release()
        guarded_needle.release()


def test_public_counters_at_an_unreadable_page(guarded):
    text_page, needle_page = guarded
    for length in range(0, 601, 7):
        data = (b"is " * 300)[:length]
        text, needle = text_page.holding(data), needle_page.holding(b"is")
        for count in (word_count.search, word_count.search_sequential,
                      word_count.search_sequential_allow_threads):
            assert count(text, needle) == data.count(b"is")
        text.release()
        needle.release()


FAILING_CALLS = [
    lambda c, n: word_count.search(c, n, threads=0),
    lambda c, n: word_count.search(c, n, threads=1.5),
    lambda c, n: word_count.search(c, n, threads="x"),
    lambda c, n: word_count.search(c, n, needle=n),
    lambda c, n: word_count.search(c, n, bogus=1),
    lambda c, n: word_count.search_sequential(c, "mixed"),
    lambda c, n: word_count.search_sequential(c),
    lambda c, n: word_count.search_sequential_allow_threads(c, memoryview(n)[::2]),
    lambda c, n: word_count.search_sequential_allow_threads(memoryview(c)[::2], n),
    lambda c, n: word_count.search(1, n),
]


def test_hundred_thousand_failing_calls_leak_nothing():
    contents, needle = bytearray(b"is it is " * 100), bytearray(b"isx")
    before = sys.getrefcount(contents), sys.getrefcount(needle)
    calls = 100_000 // len(FAILING_CALLS) + 1

    def fail_many(n):
        for call in FAILING_CALLS:
            for _ in range(n):
                try:
                    call(contents, needle)
                except (TypeError, ValueError):
                    pass
                else:
                    raise AssertionError("the call did not fail")

    fail_many(100)
    gc.collect()
    tracemalloc.start()
    try:
        first = tracemalloc.get_traced_memory()[0]
        fail_many(calls)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert growth < 10_000
    assert (sys.getrefcount(contents), sys.getrefcount(needle)) == before
    contents.extend(b"x")  # no buffer export was left behind
    needle.extend(b"x")
