"""word_count.Tally: the C type's methods, and update_file beside them."""
from ._files import EncodedCounts, check_path
from ._wordcount import Tally as _Tally


class Tally(_Tally):
    """Word frequencies of many texts, gathered in C and read as a Counter.

        >>> from word_count import Tally
        >>> tally = Tally(sep=None, fold="lower")
        >>> tally.update("The cat and the hat")
        >>> tally.update_all(["THE END", "cat"])
        >>> tally.most_common(2)
        [('the', 3), ('cat', 2)]

    `sep` and `fold` are the rule of every text (as `counts` takes them);
    `threads` what update() and update_file() count on (None: as `search`).
    Each text given is a document: its last word ends with it. A Tally holds
    str keys or bytes keys, never both. It pickles and copies exactly; one
    thread at a time may use it (a second call meanwhile is a RuntimeError).
    """

    __slots__ = ()
    __module__ = "word_count"

    def update_file(self, path, *, encoding="utf-8"):
        """Add the words of the file at `path`, as counts_file finds them:
        str keys decoded with `encoding`, or bytes keys with encoding=None."""
        check_path(path, "update_file")
        counting = EncodedCounts(encoding=encoding, sep=self.sep, fold=None,
                                 fname="update_file")
        file_words = counting.tally()
        with open(path, "rb", buffering=0) as file:
            file_words.add_fd(file.fileno(), threads=self.threads, name=path)
        self._absorb(file_words, counting.codec, name=path)
