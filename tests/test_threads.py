"""Threads: the GIL released where promised, the pool, fork, many callers."""
import functools
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import word_count
from child import run_python

#: Large enough that one count takes tens of milliseconds.
BIG = "is it is " * 3_000_000
BIG_COUNT = 6_000_000


@functools.cache
def gil_test_text():
    return "is it is " * 12_000_000  # 108 MB: a count takes milliseconds


def ticks_inside_call(func, *args, **kwargs):
    """How often another Python thread ran during a call counting 108 MB."""
    text = gil_test_text()
    ticks = []
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.perf_counter())

    # A long switch interval: this thread does not hand the GIL over between
    # two bytecodes around the call however loaded the machine is, so only a
    # release inside the call lets the spinner run between start and end.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.2)
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.02)
        start = time.perf_counter()
        assert func(text, "is", *args, **kwargs) == 24_000_000
        end = time.perf_counter()
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(interval)
    return sum(start < t < end for t in ticks)


def ran_inside_some_call(func, attempts=10, **kwargs):
    """A loaded machine may not schedule the other thread within one call;
    over a few calls it does, if the GIL lets it."""
    return any(ticks_inside_call(func, **kwargs) > 0 for _ in range(attempts))


def test_gil_released_by_search():
    # One counting thread, so that the spinner has a core on a 2-core machine.
    assert ran_inside_some_call(word_count.search, threads=1)


def test_gil_released_by_search_sequential_allow_threads():
    assert ran_inside_some_call(word_count.search_sequential_allow_threads)


@pytest.mark.skipif(not getattr(sys, "_is_gil_enabled", lambda: True)(),
                    reason="a free-threaded build has no GIL for it to hold")
def test_gil_held_by_search_sequential():
    assert not ran_inside_some_call(word_count.search_sequential, attempts=2)


def test_thread_pool_executor_like_the_seed():
    executor = ThreadPoolExecutor(max_workers=2)
    future_1 = executor.submit(word_count.search_sequential_allow_threads, BIG, "is")
    future_2 = executor.submit(word_count.search_sequential_allow_threads, BIG, "is")
    assert future_1.result() == future_2.result() == BIG_COUNT
    executor.shutdown()


def test_many_python_threads_call_search_at_once():
    texts = [("a " * n, n) for n in (0, 1, 1000, 200_000, 700_000)]
    with ThreadPoolExecutor(max_workers=16) as executor:
        futures = [
            (executor.submit(word_count.search, text, "a", threads=threads), n)
            for _ in range(4)
            for text, n in texts
            for threads in (1, 2, 3, 8)
        ]
        for future, n in futures:
            assert future.result() == n


def test_the_pool_starts_lazily_and_grows_to_threads():
    word_count.search(BIG, "is", threads=3)
    assert word_count._wordcount._pool_workers() >= 2


def test_small_texts_stay_on_the_calling_thread():
    """Below _parallel_min_bytes no worker is woken: none is started here."""
    code = (
        "import word_count as w;"
        "n = w._wordcount._parallel_min_bytes;"
        "assert w.search('a ' * (n // 2 - 1), 'a', threads=8) == n // 2 - 1;"
        "assert w._wordcount._pool_workers() == 0;"
        "assert w.search('a ' * (n // 2), 'a', threads=2) == n // 2;"
        "assert w._wordcount._pool_workers() == 1"
    )
    run_python(code)


def wait_for_child(pid, seconds=60):
    """The child's exit status; kills it if it hangs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung")


def test_fork_after_the_pool_ran():
    assert word_count.search(BIG, "is", threads=2) == BIG_COUNT
    pid = os.fork()
    if pid == 0:
        ok = all(word_count.search(BIG, "is", threads=t) == BIG_COUNT for t in (1, 2, 4))
        os._exit(0 if ok else 1)
    assert wait_for_child(pid) == 0
    assert word_count.search(BIG, "is", threads=2) == BIG_COUNT


def fork_while_counting_in_other_threads():
    """Forks while other threads are inside the pool; the child must count."""
    stop = threading.Event()

    def keep_counting():
        while not stop.is_set():
            assert word_count.search(BIG, "is", threads=2) == BIG_COUNT

    threads = [threading.Thread(target=keep_counting) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(5):
            time.sleep(0.01)
            pid = os.fork()
            if pid == 0:
                os._exit(0 if word_count.search(BIG, "is", threads=2) == BIG_COUNT else 1)
            assert wait_for_child(pid) == 0
    finally:
        stop.set()
        for t in threads:
            t.join()


def test_fork_while_the_pool_is_busy():
    fork_while_counting_in_other_threads()


def count_big(threads):
    return word_count.search(BIG, "is", threads=threads)


def test_multiprocessing_fork_after_the_pool_ran():
    assert word_count.search(BIG, "is", threads=2) == BIG_COUNT
    with multiprocessing.get_context("fork").Pool(2) as pool:
        result = pool.map_async(count_big, [1, 2, 3, 4])
        assert result.get(timeout=60) == [BIG_COUNT] * 4


@pytest.mark.parametrize("value, expected", [("1", 0), ("3", 2)])
def test_word_count_threads_sets_the_default(value, expected):
    code = (
        "import word_count as w;"
        "assert w.search('a ' * 1_000_000, 'a') == 1_000_000;"
        "print(w._wordcount._pool_workers())"
    )
    assert int(run_python(code, WORD_COUNT_THREADS=value)) == expected


@pytest.mark.parametrize("value", ["many", "0", "-2", "3x", "99999999999999999999999"])
def test_bad_word_count_threads_fails_where_threads_none_is_used(value):
    """Not at import: a program that never counts with the default, and the
    command line that reports it in one line, still import the package."""
    code = """
import word_count as w
print(w.search("a b a", "a", threads=1), w.search_sequential("a b a", "a"))
for call in (lambda: w.search("a b a", "a"), lambda: w.search_file("/dev/null", "a")):
    try:
        call()
    except ValueError as error:
        print(error)
"""
    message = (f"WORD_COUNT_THREADS must be an integer of at least 1, not '{value}' "
               "(threads=None reads it)")
    assert run_python(code, WORD_COUNT_THREADS=value).splitlines() == ["2 2", message, message]


def test_default_threads_follow_the_affinity():
    """threads=None uses every CPU sched_getaffinity allows: here, one."""
    code = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "import word_count as w;"
        "assert w.search('a ' * 1_000_000, 'a') == 1_000_000;"
        "print(w._wordcount._pool_workers())"
    )
    assert int(run_python(code)) == 0


def test_buffer_is_held_while_counting_without_the_gil():
    """A bytearray cannot be resized under a count: its buffer is exported."""
    data = bytearray(b"is it is " * 3_000_000)
    refused = []
    resizing = threading.Event()
    stop = threading.Event()

    def try_to_resize():
        while not stop.is_set():
            try:
                data.extend(b"x")
                del data[-1]
            except BufferError:
                refused.append(True)
            resizing.set()

    resizer = threading.Thread(target=try_to_resize)
    resizer.start()
    try:
        assert resizing.wait(timeout=60)
        # Count until one resize falls inside a count; a loaded host may
        # leave the resizer unscheduled through many counts, so the bound
        # is time, not a number of counts.
        deadline = time.monotonic() + 30
        while not refused and time.monotonic() < deadline:
            assert word_count.search_sequential_allow_threads(data, b"is") == BIG_COUNT
    finally:
        stop.set()
        resizer.join()
    assert refused
