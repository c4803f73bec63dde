"""search_file and the command line: files counted by the rule of search."""
import os
import pathlib
import shutil
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import word_count
from word_count import _files, search_file
from child import child_environment
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
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        search_file(text_file, "is", encoding="klingon")
    with pytest.raises(ValueError, match="argument 'needle' cannot be encoded in 'ascii'"):
        search_file(text_file, "café", encoding="ascii")
    with pytest.raises(TypeError, match="argument 'needle'"):
        search_file(text_file, 3)
    with pytest.raises(TypeError, match="argument 'path'"):
        search_file(3.5, "is")
    with pytest.raises(ValueError, match="'threads' must be at least 1"):
        search_file(text_file, "is", threads=0)


def test_a_fifo_is_streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(_files, "STREAM_CHUNK", 7)  # cuts inside lines and words
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    data = CONTENT * 50

    def write():
        with open(fifo, "wb") as f:
            f.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert search_file(fifo, "is") == word_count.search_py(data, b"is")
    finally:
        writer.join()


@given(texts(1, max_pieces=60), needles(1), st.integers(1, 20))
@settings(max_examples=200)
def test_streaming_in_any_chunk_size_is_exact(text, needle, chunk):
    import io
    data = text.encode("latin-1")
    word = needle.encode("latin-1")
    old = _files.STREAM_CHUNK
    _files.STREAM_CHUNK = chunk
    try:
        assert _files.count_stream(io.BytesIO(data), word) == word_count.search_py(data, word)
    finally:
        _files.STREAM_CHUNK = old


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


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "word_count", *map(str, args)],
                          input=stdin, capture_output=True, cwd="/", env=child_environment())


def test_cli_one_file(text_file):
    result = run_cli("is", text_file)
    assert (result.returncode, result.stdout) == (0, f"{EXPECTED}\n".encode())


def test_cli_several_files_and_a_total(text_file, tmp_path):
    other = tmp_path / "other.txt"
    other.write_bytes(b"no words here\n")
    result = run_cli("is", text_file, other)
    assert result.stdout.decode().splitlines() == [
        f"{text_file}:{EXPECTED}", f"{other}:0", f"total:{EXPECTED}"]
    assert result.returncode == 0


def test_cli_standard_input():
    result = run_cli("is", stdin=CONTENT)
    assert (result.returncode, result.stdout) == (0, f"{EXPECTED}\n".encode())
    result = run_cli("is", "-", stdin=CONTENT)
    assert result.stdout == f"{EXPECTED}\n".encode()


def test_cli_nothing_found_exits_1(text_file):
    result = run_cli("absent", text_file)
    assert (result.returncode, result.stdout) == (1, b"0\n")


def test_cli_error_names_the_file_and_counts_the_others(text_file, tmp_path):
    missing = tmp_path / "missing.txt"
    result = run_cli("is", missing, text_file)
    assert result.returncode == 2
    assert f"word-count: {missing}: No such file or directory" in result.stderr.decode()
    assert result.stdout.decode().splitlines() == [f"{text_file}:{EXPECTED}",
                                                   f"total:{EXPECTED}"]


def test_cli_options(text_file, tmp_path):
    assert run_cli("--threads", "2", "is", text_file).stdout == f"{EXPECTED}\n".encode()
    assert run_cli("--threads", "0", "is", text_file).returncode == 2
    latin = tmp_path / "latin"
    latin.write_bytes("café\n".encode("latin-1"))
    assert run_cli("--encoding", "latin-1", "café", latin).stdout == b"1\n"
    result = run_cli("--encoding", "utf-16", "is", text_file)
    assert result.returncode == 2 and b"argument 'encoding'" in result.stderr
    help_text = run_cli("--help").stdout.decode()
    assert "examples:" in help_text and "exit status" in help_text


def test_word_count_command_is_installed(text_file):
    command = shutil.which("word-count", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.skip("not installed as a package (source tree on the path)")
    result = subprocess.run([command, "is", text_file], capture_output=True)
    assert result.stdout == f"{EXPECTED}\n".encode()
