"""The rules in files and on the command line: a file counts as the text it
holds in its encoding would (UTF-8's U+00A0 and U+3000 separate words by
sep=None, a latin-1 file's byte 0xA0 too), mapped or read through a pipe in
blocks that cut whitespace sequences anywhere; an encoding that cannot be
counted exactly by a rule is a ValueError; word-count -W -i is the
count-words problem's reference; and real text agrees with the idioms."""
import glob
import gzip
import os
import pathlib
import shutil
import subprocess
import sys
import threading
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import word_count
from word_count import _files, _wordcount, counts_file, counts_py, search_file, search_py
from child import child_environment
from strategies import FOLDS, SEPS, rule_needles, rule_texts

rules = st.tuples(st.sampled_from(SEPS), st.sampled_from(FOLDS))


def same(result, expected):
    assert type(result) is Counter
    assert list(result.items()) == list(expected.items())


def encodable(encoding):
    def check(text):
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            return False
        return True
    return check


@pytest.mark.parametrize("encoding, form", [("utf-8", 4), ("latin-1", 1), ("cp1252", 2)])
@given(data=st.data(), rule=rules)
@settings(max_examples=120, deadline=None)
def test_a_file_counts_as_its_decoded_text(tmp_path_factory, encoding, form, data, rule):
    sep, fold = rule
    text = data.draw(rule_texts(form).filter(encodable(encoding)))
    needle = data.draw(rule_needles(form).filter(encodable(encoding)))
    path = tmp_path_factory.mktemp("f") / "text"
    path.write_bytes(text.encode(encoding))
    assert search_file(path, needle, encoding=encoding, sep=sep, fold=fold) == \
        search_py(text, needle, sep=sep, fold=fold)
    same(counts_file(path, encoding=encoding, sep=sep, fold=fold),
         counts_py(text, sep=sep, fold=fold))
    raw = text.encode(encoding)
    same(counts_file(path, encoding=None, sep=sep, fold=fold), counts_py(raw, sep=sep, fold=fold))
    assert search_file(path, needle.encode(encoding), sep=sep, fold=fold) == \
        search_py(raw, needle.encode(encoding), sep=sep, fold=fold)


def pipe(data):
    """A pipe's read end that `data` is written into by a thread."""
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, data), os.close(write_end)))
    writer.start()
    return read_end, writer


@given(rule_texts(4).filter(encodable("utf-8")), rule_needles(4).filter(encodable("utf-8")),
       rules, st.integers(1, 9), st.integers(1, 3))
@settings(max_examples=300, deadline=None)
def test_blocks_that_cut_utf8_whitespace_count_exactly(text, needle, rule, block, threads):
    """Through a pipe in blocks of a few bytes: a U+3000 or U+00A0, or a
    folding character, cut by every block's end."""
    sep, fold = rule
    searching = _files.EncodedSearch(needle, encoding="utf-8", sep=sep, fold=fold, fname="t")
    read_end, writer = pipe(text.encode())
    try:
        if searching.folded is None:
            count = _wordcount._count_fd(read_end, searching.needle, threads=threads,
                                         block=block, rule=searching.rule)
        else:
            tally = _wordcount._Tally(rule=searching.rule)
            tally.add_fd(read_end, threads=threads, block=block,
                         only=(searching.folded, fold, True))
            count = tally.counter("utf-8", fold=fold)[searching.folded]
    finally:
        writer.join()
        os.close(read_end)
    assert count == search_py(text, needle, sep=sep, fold=fold)
    counting = _files.EncodedCounts(encoding="utf-8", sep=sep, fold=fold, fname="t")
    read_end, writer = pipe(text.encode())
    try:
        tally = counting.tally()
        tally.add_fd(read_end, threads=threads, block=block)
    finally:
        writer.join()
        os.close(read_end)
    same(counting.counter(tally), counts_py(text, sep=sep, fold=fold))


@pytest.mark.parametrize("sep", SEPS)
@pytest.mark.parametrize("block", [7, 1 << 16])
def test_a_folded_search_drops_words_too_long_to_match(sep, block):
    """Words longer than the folded needle can be are dropped as they are
    read, a UTF-8 space cut by a block's end included: what follows them
    still counts exactly."""
    for tail in ("\u3000", "\u00a0", " ", "\t"):
        text = "Is " + "x" * 200_003 + tail + "is IS\u3000iS " + "y" * 100 + tail + "Is"
        read_end, writer = pipe(text.encode())
        try:
            tally = _wordcount._Tally(rule=_files.byte_rule(sep, "utf-8", "t"))
            tally.add_fd(read_end, block=block, only=("is", "casefold", True))
            count = tally.counter("utf-8", fold="casefold")["is"]
        finally:
            writer.join()
            os.close(read_end)
        assert count == search_py(text, "is", sep=sep, fold="casefold"), (tail, block)


def test_a_folded_search_of_an_endless_word_is_read_in_bounded_memory():
    """256 MiB without a separator through a pipe: the process grows by
    about a block, as the unfolded search does, not by the word."""
    from test_files import through_a_pipe_of_256_mib
    count, grown_mib = through_a_pipe_of_256_mib(
        'b"x" * 2**16',
        'from word_count import _files\n'
        'result = _files.EncodedSearch("X", encoding="utf-8", sep=None, fold="casefold", '
        'fname="t").count_fd(read_end)')
    assert count == "0"
    assert grown_mib < 48


def test_utf8_and_latin1_whitespace_separate_words(tmp_path):
    text = "a\u00a0b\u3000c\u2028d\u200be  f\x85g"
    (tmp_path / "u").write_bytes(text.encode())
    (tmp_path / "l").write_bytes("a\xa0b\x85c d".encode("latin-1"))
    (tmp_path / "w").write_bytes(b"a\xa0b\x85c d")   # cp1252's 0x85 is "\u2026"
    assert list(counts_file(tmp_path / "u", sep=None)) == text.split()
    assert search_file(tmp_path / "u", "\u200b", sep=None) == 0
    assert list(counts_file(tmp_path / "l", encoding="latin-1", sep=None)) == ["a", "b", "c", "d"]
    assert list(counts_file(tmp_path / "w", encoding="cp1252", sep=None)) == ["a", "b\u2026c", "d"]
    assert list(counts_file(tmp_path / "u", encoding=None, sep=None)) == text.encode().split()


@pytest.mark.parametrize("encoding", ["shift_jis", "gb18030", "big5", "euc_jp"])
def test_multi_byte_encodings_cannot_split_at_whitespace(tmp_path, encoding):
    """Their U+3000 is two bytes that may also end a character and begin
    another: a ValueError that names the encoding and the rule. By sep=" "
    they count exactly, folded or not."""
    path = tmp_path / "f"
    text = "日本 is 日本 IS\u3000is\n"
    path.write_bytes(text.encode(encoding))
    for call in (lambda: search_file(path, "is", encoding=encoding, sep=None),
                 lambda: counts_file(path, encoding=encoding, sep=None)):
        with pytest.raises(ValueError, match=f"argument 'encoding': '{encoding}' cannot be "
                           "counted exactly with sep=None"):
            call()
    for fold in FOLDS:
        assert search_file(path, "is", encoding=encoding, fold=fold) == \
            search_py(text, "is", fold=fold)
        same(counts_file(path, encoding=encoding, fold=fold), counts_py(text, fold=fold))
    data = path.read_bytes()   # a bytes needle: the bytes, split by bytes.split()
    assert search_file(path, b"is", encoding=encoding, sep=None) == \
        search_py(data, b"is", sep=None) == 1


def test_a_str_needle_needs_an_encoding(tmp_path):
    (tmp_path / "f").write_bytes(b"a A")
    with pytest.raises(TypeError, match="argument 'encoding' must be str when 'needle' is str"):
        search_file(tmp_path / "f", "a", encoding=None)
    assert search_file(tmp_path / "f", b"a", encoding=None, fold="lower") == 2


def test_bad_rules_in_files_name_the_parameter(tmp_path):
    (tmp_path / "f").write_bytes(b"a")
    for call in (search_file, lambda p, **kw: counts_file(p, **kw)):
        args = (tmp_path / "f", "a") if call is search_file else (tmp_path / "f",)
        with pytest.raises(ValueError, match="argument 'sep' must be ' '"):
            call(*args, sep="\t")
        with pytest.raises(ValueError, match="argument 'fold' must be None, 'lower' or "
                           "'casefold', not 'upper'"):
            call(*args, fold="upper")


def test_a_folded_search_of_bytes_that_do_not_decode_counts_what_decodes(tmp_path):
    (tmp_path / "f").write_bytes(b"Is \xff\xfe is IS\xff")
    assert search_file(tmp_path / "f", "is", fold="casefold") == 2


# ---- the command line --------------------------------------------------------

def word_count_command(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "word_count", *args], input=stdin,
                          capture_output=True, env=child_environment(), timeout=120)


COUNT_WORDS = ("import sys, collections\n"
               "c = collections.Counter()\n"
               "for line in sys.stdin: c.update(line.lower().split())\n"
               "for w, n in c.most_common(): print(n, w)\n")


@given(rule_texts(4).filter(encodable("utf-8")).filter(lambda t: "\r" not in t))
@settings(max_examples=25, deadline=None)
def test_top_ignore_case_whitespace_is_the_count_words_reference(text):
    """word-count -W --fold lower --top 0 prints what the count-words
    benchmark's Python prints, counts and words (universal newlines aside:
    it reads stdin as text, where a lone "\\r" ends a line)."""
    data = text.encode()
    ours = word_count_command("-W", "--fold", "lower", "--top", "0", stdin=data)
    reference = subprocess.run([sys.executable, "-c", COUNT_WORDS], input=data,
                               capture_output=True, timeout=60)
    assert ours.stderr == b""
    expected = [line.split(b" ", 1) for line in reference.stdout.splitlines()]
    assert [line.split(b"\t", 1) for line in ours.stdout.splitlines()] == expected


def test_ignore_case_and_whitespace_on_the_command_line(tmp_path):
    path = tmp_path / "f"
    path.write_bytes("The the  THE\tthe\u00a0The\nStraße STRASSE\n".encode())
    run = lambda *a: word_count_command(*a, str(path)).stdout   # noqa: E731
    assert run("the") == b"1\n"
    assert run("-i", "the") == b"2\n"           # "THE\tthe\u00a0The" is one word
    assert run("-W", "the") == b"2\n"
    assert run("-W", "-i", "the") == b"5\n"
    assert run("-W", "--ignore-case", "strasse") == b"2\n"
    assert run("-W", "--fold", "lower", "strasse") == b"1\n"
    assert run("-W", "-i", "--top", "2") == b"5\tthe\n2\tstrasse\n"
    assert run("--whitespace", "--top", "1") == b"2\tThe\n"


def test_command_line_rule_errors_are_one_line(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"a")
    result = word_count_command("-W", "--encoding", "shift_jis", "a", str(path))
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.startswith(b"word-count: --encoding: 'shift_jis' cannot be counted "
                                    b"exactly with sep=None")
    assert result.stderr.count(b"\n") == 1
    result = word_count_command("--fold", "upper", "a", str(path))
    assert result.returncode == 2 and result.stderr.count(b"\n") == 1
    assert b"invalid choice: 'upper'" in result.stderr


def test_help_explains_the_rules_in_lines_that_fit():
    result = word_count_command("--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    for option in ("-W, --whitespace", "-i, --ignore-case", "--fold {lower,casefold}",
                   "the rules:", 'A word\nholds no "\\n" and no space'):
        assert option in text
    assert max(map(len, text.splitlines())) < 80


# ---- real text ---------------------------------------------------------------

def man_pages(language):
    """The text of up to 20 man pages in `language` (Debian's manpages-*)."""
    pages = sorted(glob.glob(f"/usr/share/man/{language}/man1/*.1.gz"))[:20]
    return "\n".join(gzip.decompress(pathlib.Path(p).read_bytes()).decode("utf-8", "replace")
                     for p in pages)


REAL_TEXTS = {
    "kjv": lambda: subprocess.run(["bible", "-m", "8192", "Gen1:1-Rev22:21"], capture_output=True,
                                  text=True, check=True).stdout,
    **{f"man-{lang}": (lambda lang=lang: man_pages(lang)) for lang in ("de", "fr", "ru", "ja")},
}


@pytest.fixture(scope="module", params=list(REAL_TEXTS))
def real_text(request):
    """Installed by .ci/run (bible-kjv, manpages-de, -fr, -ru, -ja); where a
    text is missing the test says so and skips."""
    if request.param == "kjv" and not shutil.which("bible"):
        pytest.skip("bible-kjv is not installed")
    text = REAL_TEXTS[request.param]()
    if len(text) < 10_000:
        pytest.skip(f"{request.param}: no such man pages installed")
    return text


def test_real_text_agrees_with_the_idioms(real_text, tmp_path):
    same(word_count.counts(real_text, sep=None, fold="lower"), Counter(real_text.lower().split()))
    same(word_count.counts(real_text, sep=None, fold="casefold"),
         Counter(real_text.casefold().split()))
    same(word_count.counts(real_text), counts_py(real_text))
    folded = [w.casefold() for w in real_text.split()]
    for word, _ in Counter(folded).most_common(8):
        for counter in (word_count.search, word_count.search_sequential):
            assert counter(real_text, word.upper(), sep=None, fold="casefold") == \
                folded.count(word)
    path = tmp_path / "text"
    path.write_text(real_text, encoding="utf-8")
    same(counts_file(path, sep=None, fold="lower"), Counter(real_text.lower().split()))
    word = Counter(folded).most_common(1)[0][0]
    assert search_file(path, word.title(), sep=None, fold="casefold") == folded.count(word)
