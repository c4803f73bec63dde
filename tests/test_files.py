"""search_file and the command line: files counted by the rule of search."""
import errno
import mmap
import os
import pathlib
import signal
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import word_count
from word_count import _wordcount, search_file
from child import child_environment, run_python
from strategies import needles, texts

CONTENT = "is it is\r\nthis is  is\r\nis\r".encode()
EXPECTED = word_count.search_py(CONTENT, b"is")


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "text.txt"
    path.write_bytes(CONTENT)
    return path


@pytest.mark.parametrize("as_path", [str, pathlib.Path, os.fsencode],
                         ids=["str", "PathLike", "bytes"])
def test_every_kind_of_path(text_file, as_path):
    assert search_file(as_path(text_file), "is") == EXPECTED
    assert search_file(as_path(text_file), b"is", threads=2) == EXPECTED


@given(texts(4, max_pieces=120), needles(4))
@settings(max_examples=150, deadline=None)
def test_agrees_with_search_on_the_bytes(tmp_path_factory, text, needle):
    data = text.encode("utf-8", "surrogatepass")
    path = tmp_path_factory.mktemp("h") / "f"
    path.write_bytes(data)
    try:
        word = needle.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not a UTF-8 needle
        return
    assert search_file(path, needle) == word_count.search_py(data, word)
    assert search_file(path, word) == word_count.search(data, word)


def test_empty_file_counts_zero(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    assert search_file(tmp_path / "empty", "") == 0


def test_large_file_counted_in_parallel(tmp_path):
    data = b"is it is\n" * 200_000
    (tmp_path / "big").write_bytes(data)
    for threads in (1, 2, 5):
        assert search_file(tmp_path / "big", b"is", threads=threads) == 400_000


@pytest.mark.parametrize("path, error", [
    ("missing.txt", FileNotFoundError),
    (".", IsADirectoryError),
    ("text.txt/inside", NotADirectoryError),
])
def test_bad_paths_raise_oserrors_that_carry_the_path(text_file, path, error):
    full = os.path.join(text_file.parent, path)
    with pytest.raises(error) as info:
        search_file(full, "is")
    assert info.value.filename == full


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(text_file):
    text_file.chmod(0)
    with pytest.raises(PermissionError):
        search_file(text_file, "is")


def test_encodings(tmp_path):
    (tmp_path / "latin").write_bytes("café is café\n".encode("latin-1"))
    assert search_file(tmp_path / "latin", "café", encoding="latin-1") == 2
    assert search_file(tmp_path / "latin", "café") == 0  # the UTF-8 bytes differ
    (tmp_path / "sjis").write_bytes("日本 is 日本\n".encode("shift_jis"))
    assert search_file(tmp_path / "sjis", "日本", encoding="shift_jis") == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig", "cp037", "utf-7",
                                      "iso2022_jp"])
def test_encodings_without_single_byte_separators_are_refused(text_file, encoding):
    with pytest.raises(ValueError, match="argument 'encoding'"):
        search_file(text_file, "is", encoding=encoding)
    assert search_file(text_file, b"is", encoding=encoding) == EXPECTED  # bytes: as is


def test_bad_arguments(text_file):
    with pytest.raises(ValueError, match="argument 'encoding': unknown encoding: klingon"):
        search_file(text_file, "is", encoding="klingon")
    with pytest.raises(ValueError, match="argument 'needle' cannot be encoded in 'ascii'"):
        search_file(text_file, "café", encoding="ascii")
    with pytest.raises(TypeError, match="argument 'needle'"):
        search_file(text_file, 3)
    with pytest.raises(TypeError, match="argument 'path'"):
        search_file(3.5, "is")
    with pytest.raises(ValueError, match="'threads' must be at least 1"):
        search_file(text_file, "is", threads=0)


@pytest.mark.parametrize("codec", ["hex", "base64", "zlib", "bz2", "rot13", "uu", "quopri"])
def test_codecs_that_are_not_text_encodings_are_value_errors(text_file, codec):
    with pytest.raises(ValueError, match=f"search_file\\(\\) argument 'encoding': '{codec}' is "
                       "not a text encoding"):
        search_file(text_file, "is", encoding=codec)


@pytest.mark.parametrize("encoding", [None, 8, b"utf-8"])
def test_an_encoding_that_is_not_a_str_is_a_type_error(text_file, encoding):
    with pytest.raises(TypeError, match="search_file\\(\\) argument 'encoding' must be str"):
        search_file(text_file, "is", encoding=encoding)


@pytest.mark.parametrize("threads, error, message", [
    (0, ValueError, "must be at least 1, not 0"),
    (-3, ValueError, "must be at least 1, not -3"),
    ("2", TypeError, "must be int or None, not str"),
    (True, TypeError, "must be int or None, not bool"),
])
@pytest.mark.parametrize("content", [b"", CONTENT], ids=["empty", "text"])
def test_threads_is_checked_and_named_for_every_file(tmp_path, threads, error, message, content):
    (tmp_path / "f").write_bytes(content)
    with pytest.raises(error, match=f"^search_file\\(\\) argument 'threads' {message}$"):
        search_file(tmp_path / "f", "is", threads=threads)


# ---- files that are not plain files -----------------------------------------

def test_proc_files_report_size_0_and_are_read():
    path = "/proc/self/mountinfo"
    if not os.path.exists(path):
        pytest.skip("no /proc")
    assert os.stat(path).st_size == 0
    # Stable for the two reads: this process mounts nothing meanwhile.
    with open(path, "rb") as f:
        data = f.read()
    assert data and search_file(path, b"-") == word_count.search(data, b"-") > 0


def test_a_file_that_refuses_mmap_is_read():
    path = "/sys/devices/system/cpu/online"
    try:
        with open(path, "rb") as f:
            data = f.read()
            with pytest.raises(OSError):
                mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # ENODEV: sysfs
    except FileNotFoundError:
        pytest.skip("no sysfs")
    word = data.split(b"\n")[0]
    assert search_file(path, word) == 1


def test_a_fifo_is_read(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    data = CONTENT * 50_000

    def write():
        with open(fifo, "wb") as f:
            f.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert search_file(fifo, "is") == word_count.search_py(data, b"is")
    finally:
        writer.join()


def count_through_a_pipe(data, needle, block, threads=1):
    """_count_fd reading `data` from a pipe in blocks of `block` bytes."""
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, data), os.close(write_end)))
    writer.start()
    try:
        return _wordcount._count_fd(read_end, needle, threads=threads, block=block)
    finally:
        writer.join()
        os.close(read_end)


@given(texts(1, max_pieces=60), needles(1), st.integers(1, 24), st.integers(1, 3))
@settings(max_examples=300)
def test_blocks_cut_anywhere_count_exactly(text, needle, block, threads):
    data, word = text.encode("latin-1"), needle.encode("latin-1")
    assert count_through_a_pipe(data, word, block, threads) == word_count.search_py(data, word)


PIPE_PROBE = """
import os, resource, threading, word_count
size, piece = 2**28, {piece}
read_end, write_end = os.pipe()
def write():
    with os.fdopen(write_end, "wb") as f:
        for _ in range(size // len(piece)):
            f.write(piece)
writer = threading.Thread(target=write)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
writer.start()
{count}
writer.join()
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(repr(result), grown // 1024)
"""


def through_a_pipe_of_256_mib(piece, count):
    """In a child process, 256 MiB of `piece` (an expression of bytes)
    written into a pipe while `count` (code that reads `read_end` and sets
    `result`) reads it: the repr of the result, and how many MiB the process
    grew meanwhile."""
    result, grown_mib = run_python(PIPE_PROBE.format(piece=piece, count=count)).rsplit(" ", 1)
    return result, int(grown_mib)


def test_a_long_line_is_read_in_bounded_memory():
    """256 MiB without a newline through a pipe: the process grows by about
    one block (8 MiB), not by the line (it once held the whole line, and
    searched all of it again at every chunk: quadratic time)."""
    count, grown_mib = through_a_pipe_of_256_mib(
        'b"is " * 2**16', 'result = word_count._wordcount._count_fd(read_end, b"is")')
    assert int(count) == 2**28 // (3 * 2**16) * 2**16  # whole pieces of 2**16 words
    assert grown_mib < 48


def test_counting_starts_at_the_position_and_consumes_the_file(text_file):
    data = CONTENT * 3000  # past a page: the mapping starts at the page
    text_file.write_bytes(data)
    with open(text_file, "rb", buffering=0) as f:
        f.seek(5001)
        assert _wordcount._count_fd(f.fileno(), b"is") == word_count.search(data[5001:], b"is")
        assert f.tell() == len(data)
        assert _wordcount._count_fd(f.fileno(), b"is") == 0


def test_an_unmatchable_needle_counts_zero_without_reading(text_file):
    read_end, write_end = os.pipe()  # never written: a read would block
    try:
        assert _wordcount._count_fd(read_end, b"a b") == 0
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_read_error_names_the_file(tmp_path):
    with pytest.raises(IsADirectoryError) as info:
        _wordcount._count_fd(os.open(tmp_path, os.O_RDONLY), b"is", name="the-name")
    assert info.value.filename == "the-name"


def test_a_signal_handler_interrupts_a_blocked_read():
    """Ctrl-C (here SIGALRM) reaches Python while a pipe read waits, and its
    handler's exception ends the count."""
    code = """
import os, signal, word_count
def handler(signum, frame):
    raise KeyboardInterrupt
signal.signal(signal.SIGALRM, handler)
read_end, write_end = os.pipe()
signal.setitimer(signal.ITIMER_REAL, 0.2)
try:
    word_count._wordcount._count_fd(read_end, b"is")
except KeyboardInterrupt:
    print("interrupted")
"""
    assert run_python(code) == "interrupted\n"


def test_a_signal_handler_interrupts_an_endless_read():
    """/dev/zero never blocks, so no EINTR: the handlers run between blocks."""
    code = """
import signal, word_count
def handler(signum, frame):
    raise KeyboardInterrupt
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.2)
try:
    word_count.search_file("/dev/zero", "is")
except KeyboardInterrupt:
    print("interrupted")
"""
    assert run_python(code) == "interrupted\n"


# ---- a file that shrinks while it is counted ---------------------------------

@pytest.mark.parametrize("threads", [1, 2, 4])
def test_a_mapping_of_a_shrunk_file_is_counted_as_a_fault(tmp_path, threads):
    path = tmp_path / "log"
    path.write_bytes(b"is it is\n" * 500_000)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert _wordcount._count_guarded(mapped, b"is", threads=threads) == 1_000_000
        os.truncate(path, 8192)  # the pages past the first two are gone
        assert _wordcount._count_guarded(mapped, b"is", threads=threads) is None
        with memoryview(mapped) as view, view[:8192] as head:
            assert _wordcount._count_guarded(head, b"is", threads=threads) == \
                word_count.search(bytes(head), b"is")
        os.truncate(path, 0)
        assert _wordcount._count_guarded(mapped, b"", threads=threads) is None


#: Attempts until a truncation lands while the file is counted, at least 12:
#: how long a count of 90 MB takes depends on the CPU and on the machine's
#: load, so the cut comes 0 to 5.5 ms after the count starts, in steps of
#: 0.5 ms, until one of them finds the count still running.
TRUNCATE_WHILE_COUNTING = """
import errno, os, threading, time, word_count
path = {path!r}
outcomes = []
while len(outcomes) < 12 or ("shrank" not in outcomes and len(outcomes) < 120):
    with open(path, "wb") as f:
        f.write(b"is it is\\n" * 10_000_000)  # 90 MB
    cut = threading.Timer(0.0005 * (len(outcomes) % 12), os.truncate, (path, 1000))
    cut.start()
    try:
        count = word_count.search_file(path, "is", threads={threads})
        assert count in (20_000_000, word_count.search(b"is it is\\n" * 111, b"is")), count
        outcomes.append("counted")
    except OSError as error:
        assert (error.errno, error.filename) == (errno.EIO, path), error
        assert "shrank while it was counted" in str(error)
        outcomes.append("shrank")
    cut.join()
print(*outcomes)
"""


@pytest.mark.parametrize("threads", [1, 2])
def test_a_file_truncated_while_counted_is_an_oserror(tmp_path, threads):
    """Log rotation by copytruncate: once SIGBUS killed the interpreter."""
    outcomes = run_python(TRUNCATE_WHILE_COUNTING.format(path=str(tmp_path / "log"),
                                                         threads=threads)).split()
    assert len(outcomes) >= 12 and "shrank" in outcomes
    assert set(outcomes) <= {"counted", "shrank"}


def test_a_sigbus_that_is_not_ours_still_kills(tmp_path):
    """The handler hands any other SIGBUS to the handler before it (here
    faulthandler's, which names it), so a real fault is not swallowed."""
    path = tmp_path / "f"
    path.write_bytes(b"is " * 10_000)
    code = f"""
import faulthandler, mmap, os, word_count
faulthandler.enable()
word_count.search_file({str(path)!r}, "is")    # the handler is in place
f = open({str(path)!r}, "rb")
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
os.truncate({str(path)!r}, 0)
print(m[20_000])                                  # outside any guard
"""
    result = subprocess.run([sys.executable, "-c", code], env=child_environment(),
                            capture_output=True, text=True, cwd="/", timeout=60)
    # Death by SIGBUS (or SIGABRT where a sanitizer's handler comes after).
    assert result.returncode in (-signal.SIGBUS, -signal.SIGABRT), result.stderr
    assert "Fatal Python error: Bus error" in result.stderr  # faulthandler's report


@pytest.mark.slow
def test_file_past_4_gib(tmp_path):
    """A sparse file of 5 GiB: holes read as zero bytes, words at the edges."""
    path = tmp_path / "sparse"
    with open(path, "wb") as f:
        f.write(b"is ")
        f.seek(5 * 2**30)
        f.write(b"\nis is\n")
    assert search_file(path, "is") == 3
    assert search_file(path, "is\0") == 0  # NULs belong to words
