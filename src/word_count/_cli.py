"""word-count NEEDLE [FILE ...]: count the words equal to NEEDLE, per file,
as `grep -c` counts lines."""
import argparse
import sys

from ._files import count_file_object, needle_bytes

EXAMPLES = """\
examples:
  word-count is README.md             how many words "is" the file holds
  word-count -- -v notes.txt          a needle that starts with "-"
  word-count is *.txt                 one FILE:COUNT line each, then total:COUNT
  cat a.txt b.txt | word-count is     standard input (also as the file "-")
  word-count --threads 1 is big.txt   count on one thread
  word-count --encoding latin-1 café old.txt

The rule is word_count.search's: lines end at "\\n" or "\\r\\n", words are
split at every single space, and a word counts when it equals NEEDLE byte by
byte once NEEDLE is encoded (--encoding, default utf-8).

exit status: 0 if a word was found, 1 if none, 2 if an error occurred (the
other files are still counted).
"""


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def parser():
    p = argparse.ArgumentParser(
        prog="word-count",
        description="Count the words equal to NEEDLE in each FILE, as grep -c counts lines.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("needle", metavar="NEEDLE", help="the word to count")
    p.add_argument("files", metavar="FILE", nargs="*",
                   help='files to count in; "-" or none: standard input')
    p.add_argument("--threads", type=positive_int, metavar="N", default=None,
                   help="threads to count with (default: every CPU, or $WORD_COUNT_THREADS)")
    p.add_argument("--encoding", default="utf-8", metavar="ENC",
                   help="how NEEDLE is written in the files (default: utf-8)")
    return p


def count_one(name, needle, threads):
    if name == "-":
        return count_file_object(sys.stdin.buffer, needle, threads)
    with open(name, "rb", buffering=0) as file:
        return count_file_object(file, needle, threads)


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        needle = needle_bytes(args.needle, args.encoding, fname="word-count")
    except ValueError as error:
        print(f"word-count: {error}", file=sys.stderr)
        return 2
    names = args.files or ["-"]
    total, failed = 0, False
    for name in names:
        try:
            count = count_one(name, needle, args.threads)
        except OSError as error:
            shown = "(standard input)" if name == "-" else name
            print(f"word-count: {shown}: {error.strerror or error}", file=sys.stderr)
            failed = True
            continue
        total += count
        if len(names) > 1:
            print(f"{'(standard input)' if name == '-' else name}:{count}")
        else:
            print(count)
    if len(names) > 1:
        print(f"total:{total}")
    sys.stdout.flush()
    return 2 if failed else (0 if total else 1)
