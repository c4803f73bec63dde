"""The word-count command, as a Unix user meets it: outputs, exit statuses,
and for every error one line on stderr and status 2."""
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

import word_count
from child import child_environment

CONTENT = "is it is\r\nthis is  is\r\nis\r".encode()
EXPECTED = word_count.search_py(CONTENT, b"is")


def command():
    """The installed script (what users run), else python -m word_count."""
    script = shutil.which("word-count", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "word_count"]


def run(args, *, stdin=subprocess.DEVNULL, cwd=None, env=None, **kwargs):
    return subprocess.run([*command(), *args], stdin=stdin, capture_output=True, cwd=cwd,
                          env=child_environment(**(env or {})), timeout=60, **kwargs)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "text.txt").write_bytes(CONTENT)
    (tmp_path / "other.txt").write_bytes(b"no words here\n")
    (tmp_path / "dir").mkdir()
    return tmp_path


def test_one_file(files):
    result = run(["is", "text.txt"], cwd=files)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{EXPECTED}\n".encode(), b"")


def test_several_files_and_a_total(files):
    result = run(["is", "text.txt", "other.txt"], cwd=files)
    assert result.stdout.decode().splitlines() == [
        f"text.txt:{EXPECTED}", "other.txt:0", f"total:{EXPECTED}"]
    assert result.returncode == 0


def test_nothing_found_exits_1(files):
    result = run(["absent", "text.txt"], cwd=files)
    assert (result.returncode, result.stdout) == (1, b"0\n")


@pytest.mark.parametrize("args", [["is"], ["is", "-"], ["--threads", "1", "is"]])
def test_standard_input(files, args):
    with open(files / "text.txt", "rb") as stdin:
        result = run(args, stdin=stdin)
    assert (result.returncode, result.stdout) == (0, f"{EXPECTED}\n".encode())
    assert run(args, input=CONTENT, stdin=None).stdout == f"{EXPECTED}\n".encode()


def test_standard_input_named_twice_is_read_once(files):
    """A regular file as stdin: the first "-" consumes it, as a read would."""
    with open(files / "text.txt", "rb") as stdin:
        result = run(["is", "-", "-"], stdin=stdin)
    assert result.stdout.decode().splitlines() == [
        f"(standard input):{EXPECTED}", "(standard input):0", f"total:{EXPECTED}"]


def test_options(files):
    assert run(["--threads", "2", "is", "text.txt"], cwd=files).stdout == f"{EXPECTED}\n".encode()
    (files / "latin").write_bytes("café\n".encode("latin-1"))
    assert run(["--encoding", "latin-1", "café", "latin"], cwd=files).stdout == b"1\n"
    help_text = run(["--help"]).stdout.decode()
    assert "examples:" in help_text and "exit status" in help_text
    assert "FILE" in help_text and "[FILE ...]" in help_text


def test_python_m_word_count_is_the_same_command(files):
    result = subprocess.run([sys.executable, "-m", "word_count", "is", "text.txt"], cwd=files,
                            capture_output=True, env=child_environment(), timeout=60)
    assert (result.returncode, result.stdout) == (0, f"{EXPECTED}\n".encode())


def test_a_file_name_that_is_not_utf8_is_printed_as_its_bytes(files):
    name = b"caf\xe9.txt"  # latin-1, not UTF-8
    with open(os.path.join(os.fsencode(files), name), "wb") as f:
        f.write(CONTENT)
    result = subprocess.run([*map(os.fsencode, command()), b"is", name, b"text.txt"],
                            capture_output=True, cwd=files, env=child_environment(),
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.stdout.splitlines() == [name + f":{EXPECTED}".encode(),
                                          f"text.txt:{EXPECTED}".encode(),
                                          f"total:{2 * EXPECTED}".encode()]
    missing = run([os.fsdecode(b"is"), os.fsdecode(b"gone\xff")], cwd=files)
    assert missing.stderr == b"word-count: gone\xff: No such file or directory\n"


def test_proc_and_sys_files(files):
    with open("/proc/self/mountinfo", "rb") as f:  # size 0, read anyway
        expected = word_count.search(f.read(), b"-")
    assert run(["-", "/proc/self/mountinfo"]).stdout == f"{expected}\n".encode()
    if os.path.exists("/sys/devices/system/cpu/online"):  # refuses mmap
        with open("/sys/devices/system/cpu/online", "rb") as f:
            word = f.read().split(b"\n")[0].decode()
        assert run([word, "/sys/devices/system/cpu/online"]).stdout == b"1\n"


# Every error: (arguments, standard input, environment, the one stderr line).
# {dir} is the files fixture's folder. Standard input is /dev/null unless
# "closed".
ERRORS = {
    "no arguments": ([], None, {},
                     "word-count: the following arguments are required: NEEDLE "
                     "(see word-count --help)"),
    "unknown option": (["--colour", "is"], None, {},
                       "word-count: unrecognized arguments: --colour (see word-count --help)"),
    "threads not a number": (["--threads", "x", "is"], None, {},
                             "word-count: argument --threads: must be an integer of at "
                             "least 1, not 'x' (see word-count --help)"),
    "threads 0": (["--threads", "0", "is"], None, {},
                  "word-count: argument --threads: must be an integer of at least 1, "
                  "not '0' (see word-count --help)"),
    "unknown encoding": (["--encoding", "klingon", "is"], None, {},
                         "word-count: --encoding: unknown encoding: klingon"),
    "byte codec": (["--encoding", "hex", "is"], None, {},
                   "word-count: --encoding: 'hex' is not a text encoding; use "
                   "codecs.encode() to handle arbitrary codecs"),
    "utf-16": (["--encoding", "utf-16", "is"], None, {},
               "word-count: --encoding: 'utf-16' does not write space, '\\n' and '\\r' as "
               "those single bytes in every context; use an encoding that does (utf-8, "
               "latin-1, cp1252, shift_jis, gb18030, ...) or pass the needle as bytes"),
    "needle not encodable": (["--encoding", "ascii", "café"], None, {},
                             "word-count: NEEDLE cannot be encoded in 'ascii': ordinal not "
                             "in range(128)"),
    "missing file": (["is", "{dir}/missing", "{dir}/text.txt"], None, {},
                     "word-count: {dir}/missing: No such file or directory"),
    "directory": (["is", "{dir}/dir"], None, {}, "word-count: {dir}/dir: Is a directory"),
    "closed stdin": (["is"], "closed", {},
                     "word-count: (standard input): Bad file descriptor"),
    "bad WORD_COUNT_THREADS": (["is", "{dir}/text.txt"], None, {"WORD_COUNT_THREADS": "x"},
                               "word-count: WORD_COUNT_THREADS must be an integer of at "
                               "least 1, not 'x' (threads=None reads it)"),
    "top not a number": (["--top", "x", "{dir}/text.txt"], None, {},
                         "word-count: argument --top: must be an integer of at least 0, "
                         "not 'x' (see word-count --help)"),
    "top negative": (["--top=-1", "{dir}/text.txt"], None, {},
                     "word-count: argument --top: must be an integer of at least 0, "
                     "not '-1' (see word-count --help)"),
    "top, missing file": (["--top", "1", "{dir}/missing"], None, {},
                          "word-count: {dir}/missing: No such file or directory"),
    "top, directory": (["--top", "1", "{dir}/dir"], None, {},
                       "word-count: {dir}/dir: Is a directory"),
    "top, closed stdin": (["--top", "1"], "closed", {},
                          "word-count: (standard input): Bad file descriptor"),
    "top, bad WORD_COUNT_THREADS": (["--top", "1", "{dir}/text.txt"], None,
                                    {"WORD_COUNT_THREADS": "0"},
                                    "word-count: WORD_COUNT_THREADS must be an integer of at "
                                    "least 1, not '0' (threads=None reads it)"),
}


@pytest.mark.parametrize("case", list(ERRORS), ids=list(ERRORS))
def test_every_error_is_one_line_and_exit_2(files, case):
    args, stdin, env, message = ERRORS[case]
    args = [a.format(dir=files) for a in args]
    close_stdin = stdin == "closed"
    result = subprocess.run([*command(), *args], capture_output=True, env=child_environment(**env),
                            stdin=subprocess.DEVNULL, timeout=60,
                            preexec_fn=(lambda: os.close(0)) if close_stdin else None)
    assert result.stderr.decode() == message.format(dir=files) + "\n"
    assert result.returncode == 2


def test_other_files_are_still_counted_after_an_error(files):
    result = run(["is", "missing", "text.txt"], cwd=files)
    assert result.returncode == 2
    assert result.stdout.decode().splitlines() == [f"text.txt:{EXPECTED}", f"total:{EXPECTED}"]


def test_a_closed_pipe_ends_it_quietly(files):
    """| head: the reader is gone before the first write; SIGPIPE ends the
    process without a word, as it ends grep."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    result = subprocess.run([*command(), "is", "text.txt", "text.txt"], cwd=files,
                            stdout=write_end, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=child_environment(), timeout=60)
    os.close(write_end)
    assert (result.returncode, result.stderr) == (-signal.SIGPIPE, b"")


def test_closed_stdout_is_an_error(files):
    result = subprocess.run([*command(), "is", "text.txt"], cwd=files, capture_output=False,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: os.close(1), env=child_environment(), timeout=60)
    assert (result.returncode, result.stderr) == (
        2, b"word-count: standard output: Bad file descriptor\n")


def test_ctrl_c_ends_it_quietly():
    """SIGINT while it waits on standard input: no traceback, and the shell
    sees the signal (so that a loop of commands stops too)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen([*command(), "is"], stdin=read_end, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=child_environment())
    os.close(read_end)
    try:
        time.sleep(1.0)  # started and blocked in the read
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(write_end)
    assert (process.returncode, stdout, stderr) == (-signal.SIGINT, b"", b"")


# ---- --top ----------------------------------------------------------------

def top_lines(stdout):
    """COUNT<TAB>WORD lines back into (word, count) pairs."""
    pairs = []
    for line in stdout.split(b"\n")[:-1]:
        count, word = line.split(b"\t", 1)
        pairs.append((word, int(count)))
    return pairs


def test_top_over_all_files_most_common_first(files):
    (files / "odd.txt").write_bytes(b"x\ty  \t \r\n\n is is x\ty\r\nlast\r")
    result = run(["--top", "0", "text.txt", "odd.txt", "other.txt"], cwd=files)
    assert result.returncode == 0 and result.stderr == b""
    expected = Counter()
    for name in ("text.txt", "odd.txt", "other.txt"):
        expected.update(word_count.counts_py((files / name).read_bytes()))
    assert top_lines(result.stdout) == expected.most_common()
    # Words with tabs, the empty word and a lone "\r" stay one line each.
    assert {(b"x\ty", 2), (b"", expected[b""]), (b"last\r", 1)} <= set(top_lines(result.stdout))
    three = run(["--top", "3", "text.txt", "odd.txt", "other.txt"], cwd=files)
    assert top_lines(three.stdout) == expected.most_common(3)


def test_top_reads_standard_input_and_exits_1_on_nothing(files):
    result = run(["--top", "2"], stdin=open(files / "text.txt", "rb"))
    assert top_lines(result.stdout) == word_count.counts_py(CONTENT).most_common(2)
    empty = run(["--top", "5"])
    assert (empty.returncode, empty.stdout, empty.stderr) == (1, b"", b"")


def test_top_counts_the_other_files_after_an_error(files):
    result = run(["--top", "0", "missing", "other.txt"], cwd=files)
    assert result.returncode == 2
    assert result.stderr == b"word-count: missing: No such file or directory\n"
    assert top_lines(result.stdout) == word_count.counts_py(b"no words here\n").most_common()


def test_top_through_a_closed_pipe_ends_quietly(files):
    (files / "many.txt").write_bytes(b" ".join(b"w%d" % i for i in range(200_000)))
    shell = f"{' '.join(map(shlex.quote, command()))} --top 0 many.txt | head -1"
    result = subprocess.run(shell, shell=True, cwd=files, capture_output=True, timeout=60,
                            env=child_environment())
    assert (result.stdout, result.stderr) == (b"1\tw0\n", b"")
