"""Threads that truly run at once: on a free-threaded build (PEP 703) nothing
serialises them, so these tests are where a race in the module would show.
They run on every build (with a GIL they still exercise the GIL-released
paths), and the first one only where there is no GIL.

CPython 3.13t's bytearray does not guard its buffer exports across threads,
with no package involved; fixed in 3.14. Several threads taking buffers of
one bytearray at once miscount them (four threads of `with memoryview(ba):
pass` leave it unresizable, and freeing it raises SystemError); and a resize
on one thread can move the bytes under a buffer another thread is taking (a
thread holding `memoryview(ba)` while another runs `ba.extend(b"x"); del
ba[-1]` saw the held bytes change twice in 10 s, 3.13.5). So one bytearray
is shared by counting threads, and resized under them, only where the
interpreter is sound.
"""
import os
import random
import sys
import sysconfig
import threading
import time

import pytest

import word_count
from child import run_python

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
BYTEARRAY_EXPORTS_SOUND = not FREE_THREADED or sys.version_info >= (3, 14)

#: Counted words first, then a tail of letters that mutators rewrite in
#: place: the count stays the same whatever they write.
WORDS = "is it is\n" * 20_000
TAIL = 200_000
EXPECTED = 40_000


def run_at_once(*targets, seconds=2.0):
    """Runs each target(stop) on its own thread until `stop` is set after
    `seconds`; re-raises the first error."""
    stop = threading.Event()
    errors = []

    def guarded(target):
        try:
            target(stop)
        except BaseException as error:  # noqa: BLE001 - re-raised below
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.skipif(not FREE_THREADED, reason="only a free-threaded build can run without a GIL")
def test_the_gil_stays_off_after_import():
    code = "import sys, word_count; print(sys._is_gil_enabled())"
    assert run_python(code) == "False\n"


def counter(func, text, needle, **kwargs):
    def count(stop):
        while not stop.is_set():
            assert func(text, needle, **kwargs) == EXPECTED
    return count


COUNTERS = [
    (word_count.search, {"threads": 2}),
    (word_count.search_sequential, {}),
    (word_count.search_sequential_allow_threads, {}),
]


def test_one_str_and_one_bytes_counted_by_many_threads():
    text = WORDS + "x" * TAIL
    wide = WORDS + "\u0101" * TAIL
    data = text.encode()
    targets = [counter(func, t, n, **kw) for func, kw in COUNTERS
               for t, n in ((text, "is"), (wide, "is"), (data, b"is"))]
    run_at_once(*targets)


def mutate_tail(data):
    def mutate(stop):
        rng = random.Random(1)
        while not stop.is_set():
            start = rng.randrange(len(WORDS), len(data) - 64)
            data[start:start + 64] = bytes(rng.choice(b"xyz") for _ in range(64))
    return mutate


def resize(data):
    """Appends a byte and takes it off again, wherever no count holds the
    buffer (a held buffer makes it a BufferError, as it must)."""
    def grow_and_shrink(stop):
        refused = 0
        while not stop.is_set():
            try:
                data.extend(b"x")
            except BufferError:
                refused += 1
                continue
            while True:
                try:
                    del data[-1]
                    break
                except BufferError:
                    refused += 1
    return grow_and_shrink


def test_bytearrays_counted_while_written_and_resized():
    """Each counting thread has a bytearray of its own, which another thread
    rewrites in place and (where the interpreter is sound) tries to resize
    meanwhile."""
    targets = []
    for func, kwargs in COUNTERS:
        data = bytearray((WORDS + "x" * TAIL).encode())
        targets += [counter(func, data, b"is", **kwargs), mutate_tail(data)]
        if BYTEARRAY_EXPORTS_SOUND:
            targets.append(resize(data))
    run_at_once(*targets)


@pytest.mark.skipif(not BYTEARRAY_EXPORTS_SOUND,
                    reason="CPython 3.13t miscounts a bytearray's buffer exports "
                           "across threads (see the module's docstring)")
def test_one_bytearray_shared_by_every_counter():
    data = bytearray((WORDS + "x" * TAIL).encode())
    targets = [counter(func, data, b"is", **kw) for func, kw in COUNTERS for _ in range(2)]
    run_at_once(*targets, mutate_tail(data), resize(data))
    data.extend(b"x")  # nothing holds it any more
    assert len(data) == len(WORDS) + TAIL + 1


def test_texts_made_counted_and_dropped_at_once():
    def churn(stop):
        rng = random.Random(threading.get_ident())
        while not stop.is_set():
            n = rng.randrange(1, 5000)
            text = "is " * n + "\n"
            assert word_count.search(text, "is") == n
            assert word_count.search(text.encode(), b"is", threads=2) == n
            assert word_count.search_sequential(bytearray(text.encode()), b"is") == n
            assert word_count.counts(bytearray(text.encode()))[b"is"] == n
            del text
    run_at_once(*[churn] * 8)


def test_the_pool_driven_by_callers_at_once():
    """Eight callers each asking for 2-4 threads of the one pool."""
    text = WORDS * 20  # 3.6 MB: every call is parallel

    def call(threads):
        def run(stop):
            while not stop.is_set():
                assert word_count.search(text, "is", threads=threads) == 20 * EXPECTED
        return run
    run_at_once(*[call(2 + k % 3) for k in range(8)])


def test_counts_from_callers_at_once():
    """Eight callers of counts, on the pool and on their own threads, one
    tally each for files: the same Counter every time."""
    text = WORDS * 20
    expected = list(word_count.counts_py(text).items())

    def call(threads):
        def run(stop):
            while not stop.is_set():
                assert list(word_count.counts(text, threads=threads).items()) == expected
        return run
    run_at_once(*[call(1 + k % 3) for k in range(8)])


def test_a_tally_used_by_two_threads_at_once_refuses_the_second():
    """_Tally is not for sharing: a second call while one runs is a
    RuntimeError, never a torn table."""
    tally = word_count._wordcount._Tally()
    read_end, write_end = os.pipe()
    adding = threading.Thread(target=tally.add_fd, args=(read_end,))
    adding.start()
    time.sleep(0.2)  # add_fd now waits for the pipe, holding the tally
    with pytest.raises(RuntimeError, match="in use by another thread"):
        tally.most_common(1)
    os.write(write_end, b"a b a")
    os.close(write_end)
    adding.join()
    os.close(read_end)
    assert tally.most_common(0) == [(b"a", 2), (b"b", 1)]


def test_the_fold_table_made_by_many_threads_at_once():
    """In a fresh process, where no fold table exists yet: eight threads fold
    at once, and every one counts exactly (one makes the table, the others
    wait for it with the GIL, where there is one, released)."""
    code = """
import threading, word_count
text = "Stra\u00dfe STRASSE \u212ain kin\u3000" * 20_000
results, barrier = [], threading.Barrier(8)
def run(fold):
    barrier.wait()
    results.append(word_count.search(text, "strasse", sep=None, fold=fold))
threads = [threading.Thread(target=run, args=(["lower", "casefold"][i % 2],)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(sorted(results))
"""
    assert run_python(code).strip() == str([20_000] * 4 + [40_000] * 4)

