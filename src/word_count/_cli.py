"""word-count NEEDLE [FILE ...]: count the words equal to NEEDLE, per file,
as `grep -c` counts lines. word-count --top N [FILE ...]: the N most common
words over all the files, one "COUNT<TAB>WORD" line each.

As a Unix tool: output and errors are bytes (file names are printed as the
bytes they are), every error is one line on stderr and exit status 2, a
reader that goes away (`| head`) ends it quietly through SIGPIPE, and Ctrl-C
ends it through SIGINT, as grep."""
import argparse
import os
import signal
import sys

from ._files import EncodedCounts, EncodedSearch, check_threads

EXAMPLES = """\
examples:
  word-count is README.md             how many words "is" the file holds
  word-count -- -v notes.txt          a needle that starts with "-"
  word-count is *.txt                 a FILE:COUNT line each, then total:COUNT
  cat a.txt b.txt | word-count is     standard input (also as the file "-")
  word-count -W -i the book.txt       "the", "The", "THE": str.split()'s words
  word-count --threads 1 is big.txt   count on one thread
  word-count --encoding latin-1 café old.txt
  word-count --top 10 *.txt           the 10 most common words over all files
  word-count -W -i --top 0 < book.txt
                                      every word, most common first, as
                                      Counter(line.lower().split()) finds them

the rules:
  By default, as word_count.search's default: lines end at "\\n" or "\\r\\n",
  and a line splits into words at every single space (two spaces make an
  empty word; a tab belongs to its word).
  -W, --whitespace: words are the runs of non-whitespace, as str.split()
  finds them in the text the files hold in --encoding (in UTF-8, U+00A0 and
  U+3000 separate words too).
  -i, --ignore-case (--fold casefold): words compare as word.casefold()
  compares them, NEEDLE folded alike; --fold lower: as word.lower().
  Otherwise a word counts when it equals NEEDLE byte by byte once NEEDLE is
  encoded (--encoding, default utf-8).

--top prints one line per word, most common first, equal counts in order of
first appearance: the count, a tab, then the word as the files hold it (with
a fold: the folded word, in --encoding) up to the end of the line. A word
holds no "\\n" and no space, but may hold tabs or be empty: "3<TAB>" is the
empty word, three times.

exit status: 0 if a word was found (with --top: any word), 1 if none, 2 if
an error occurred (the other files are still counted).
"""

STDIN_NAME = b"(standard input)"


class UsageError(Exception):
    """A bad command line: one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see word-count --help)")


def thread_count(text):
    try:
        return check_threads(int(text), "word-count")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an integer of at least 1, not {text!r}") from None


def top_count(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer of at least 0, not {text!r}")
    return value


def parser():
    p = Parser(
        prog="word-count",
        usage="%(prog)s [options] NEEDLE [FILE ...]\n       %(prog)s [options] --top N [FILE ...]",
        description="Count the words equal to NEEDLE in each FILE, as grep -c counts lines;\n"
                    "or, with --top, the most common words over all the FILEs.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    # NEEDLE is optional to argparse: with --top the first operand is a FILE.
    p.add_argument("needle", metavar="NEEDLE", nargs="?", help="the word to count")
    # default=[]: without it argparse calls an optional FILE required.
    p.add_argument("files", metavar="FILE", nargs="*", default=[],
                   help='files to count in; "-" or none: standard input')
    p.add_argument("-W", "--whitespace", action="store_true",
                   help="split words at runs of whitespace, as str.split() (see the rules)")
    p.add_argument("-i", "--ignore-case", dest="fold", action="store_const", const="casefold",
                   help="compare words case-blind, as str.casefold() (--fold casefold)")
    p.add_argument("--fold", choices=["lower", "casefold"], dest="fold",
                   help="compare words as str.lower() or str.casefold() compares them")
    p.add_argument("--threads", type=thread_count, metavar="N", default=None,
                   help="threads to count with (default: every CPU, or $WORD_COUNT_THREADS)")
    p.add_argument("--encoding", default="utf-8", metavar="ENC",
                   help="how the files write their text (default: utf-8)")
    p.add_argument("--top", type=top_count, metavar="N", default=None,
                   help="print the N most common words over all FILEs instead (0: all)")
    return p


def parse(argv):
    """The command line's arguments; with --top, every operand is a FILE."""
    p = parser()
    args = p.parse_args(argv)
    args.sep = None if args.whitespace else " "
    if args.top is not None:
        if args.needle is not None:
            args.files.insert(0, args.needle)
        args.needle = None
    elif args.needle is None:
        p.error("the following arguments are required: NEEDLE")
    return args


def open_operand(name):
    """The file descriptor of an operand, and whether to close it."""
    if name == "-":
        return 0, False
    return os.open(name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)), True


def top_lines(tally, counting, top):
    """--top's lines: the words as the files hold them, or folded words in
    the encoding (bytes it cannot decode kept as they are; a folded
    character it cannot write escaped, \\u03bc)."""
    if counting.fold is None:
        return [b"%d\t%s\n" % (count, word) for word, count in tally.most_common(top)]
    words = counting.counter(tally, errors="surrogateescape")
    lines = []
    for word, count in words.most_common(top or None):
        try:
            encoded = word.encode(counting.codec, "surrogateescape")
        except UnicodeEncodeError:
            encoded = word.encode(counting.codec, "backslashreplace")
        lines.append(b"%d\t%s\n" % (count, encoded))
    return lines


def print_top(names, args, stdout, stderr):
    """--top: the most common words over every file; returns the exit status."""
    counting = EncodedCounts(encoding=args.encoding, sep=args.sep, fold=args.fold,
                             fname="word-count")
    tally, failed = counting.tally(), False
    for name in names:
        shown = STDIN_NAME if name == "-" else os.fsencode(name)
        try:
            fd, close = open_operand(name)
            try:
                tally.add_fd(fd, threads=args.threads, name=name)
            finally:
                if close:
                    os.close(fd)
        except OSError as error:
            stderr.write(error_line(shown, error.strerror or str(error)))
            failed = True
        except ValueError as error:  # $WORD_COUNT_THREADS is not a count
            stderr.write(error_line(str(error)))
            return 2
    lines = top_lines(tally, counting, args.top)
    stdout.writelines(lines)
    stdout.flush()
    return 2 if failed else (0 if lines else 1)


def error_line(*parts):
    """One line on stderr: word-count: PART: PART..."""
    return b": ".join([b"word-count", *(os.fsencode(p) for p in parts)]) + b"\n"


def option_message(error):
    """A ValueError of the file functions, in the command line's words."""
    message = str(error).replace("word-count() argument 'encoding'", "--encoding")
    return message.replace("word-count() argument 'needle'", "NEEDLE")


def main(argv=None):
    """Runs the command line on `argv` (sys.argv[1:] when None); returns the
    exit status."""
    stdout, stderr = sys.stdout.buffer, sys.stderr.buffer
    try:
        args = parse(argv)
        if args.top is not None:
            return print_top(args.files or ["-"], args, stdout, stderr)
        searching = EncodedSearch(args.needle, encoding=args.encoding, sep=args.sep,
                                  fold=args.fold, fname="word-count")
    except UsageError as error:
        stderr.write(error_line(str(error)))
        return 2
    except ValueError as error:
        stderr.write(error_line(option_message(error)))
        return 2
    names = args.files or ["-"]
    total, failed = 0, False
    for name in names:
        shown = STDIN_NAME if name == "-" else os.fsencode(name)
        try:
            if name == "-":
                count = searching.count_fd(0, threads=args.threads, name=STDIN_NAME.decode())
            else:
                with open(name, "rb", buffering=0) as file:
                    count = searching.count_fd(file.fileno(), threads=args.threads, name=name)
        except OSError as error:
            stderr.write(error_line(shown, error.strerror or str(error)))
            failed = True
            continue
        except ValueError as error:  # $WORD_COUNT_THREADS is not a count
            stderr.write(error_line(str(error)))
            return 2
        total += count
        if len(names) > 1:
            stdout.write(shown + b":" + str(count).encode() + b"\n")
        else:
            stdout.write(str(count).encode() + b"\n")
    if len(names) > 1:
        stdout.write(f"total:{total}\n".encode())
    stdout.flush()
    return 2 if failed else (0 if total else 1)


def run():
    """The `word-count` command: main() with the signals of a Unix filter."""
    # Python ignores SIGPIPE and turns SIGINT into KeyboardInterrupt; a filter
    # dies of both quietly, so that `| head` and Ctrl-C print no traceback and
    # the shell sees why it ended.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for fd, what in ((1, b"standard output"), (2, None)):
        try:
            os.fstat(fd)
        except OSError as error:
            if what:  # with no stderr there is nowhere to say it
                os.write(2, error_line(what, error.strerror))
            sys.exit(2)
    sys.exit(main())
