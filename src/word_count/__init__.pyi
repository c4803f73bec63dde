import os
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, Generic, Literal, Protocol, TypeVar, overload

from _typeshed import ReadableBuffer

simd: str
"""The name of the kernel backend in use ("scalar", "sse2", "avx2", ...)."""

Sep = Literal[" "] | None
"""How a text splits into words: " " as line.split(" ") per line, None as str.split()."""
Fold = Literal["lower", "casefold"] | None
"""How words compare: as they are, or as word.lower() / word.casefold() (bytes: bytes.lower())."""

class ArrowArrayExportable(Protocol):
    """An Arrow array (pyarrow.Array, ...): the PyCapsule interface."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...

class ArrowStreamExportable(Protocol):
    """A stream of Arrow arrays (polars.Series, pyarrow.ChunkedArray, a reader, ...)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

ArrowColumn = ArrowArrayExportable | ArrowStreamExportable
"""A column of Arrow strings or binaries, each non-null value a text."""

Text = str | ReadableBuffer
Word = TypeVar("Word", str, bytes)

@overload
def search(contents: str | ArrowColumn, needle: str, *, threads: int | None = None,
           sep: Sep = " ", fold: Fold = None) -> int: ...
@overload
def search(contents: ReadableBuffer | ArrowColumn, needle: ReadableBuffer, *,
           threads: int | None = None, sep: Sep = " ", fold: Fold = None) -> int: ...
@overload
def search_sequential(contents: str, needle: str, *, sep: Sep = " ", fold: Fold = None) -> int: ...
@overload
def search_sequential(contents: ReadableBuffer, needle: ReadableBuffer, *, sep: Sep = " ",
                      fold: Fold = None) -> int: ...
@overload
def search_sequential_allow_threads(contents: str, needle: str, *, sep: Sep = " ",
                                    fold: Fold = None) -> int: ...
@overload
def search_sequential_allow_threads(contents: ReadableBuffer, needle: ReadableBuffer, *,
                                    sep: Sep = " ", fold: Fold = None) -> int: ...

search_sequential_detached = search_sequential_allow_threads

@overload
def search_py(contents: str, needle: str, *, sep: Sep = " ", fold: Fold = None) -> int: ...
@overload
def search_py(contents: ReadableBuffer, needle: ReadableBuffer, *, sep: Sep = " ",
              fold: Fold = None) -> int: ...

@overload
def search_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    needle: str,
    *,
    threads: int | None = None,
    encoding: str = "utf-8",
    sep: Sep = " ",
    fold: Fold = None,
) -> int: ...
@overload
def search_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    needle: ReadableBuffer,
    *,
    threads: int | None = None,
    encoding: str | None = "utf-8",
    sep: Sep = " ",
    fold: Fold = None,
) -> int: ...

@overload
def counts(contents: str, *, threads: int | None = None, sep: Sep = " ",
           fold: Fold = None) -> Counter[str]: ...
@overload
def counts(contents: ReadableBuffer, *, threads: int | None = None, sep: Sep = " ",
           fold: Fold = None) -> Counter[bytes]: ...
@overload
def counts(contents: ArrowColumn, *, threads: int | None = None, sep: Sep = " ",
           fold: Fold = None) -> Counter[Any]: ...
@overload
def counts_py(contents: str, *, sep: Sep = " ", fold: Fold = None) -> Counter[str]: ...
@overload
def counts_py(contents: ReadableBuffer, *, sep: Sep = " ", fold: Fold = None) -> Counter[bytes]: ...
@overload
def counts_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    *,
    threads: int | None = None,
    encoding: str = "utf-8",
    sep: Sep = " ",
    fold: Fold = None,
) -> Counter[str]: ...
@overload
def counts_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    *,
    threads: int | None = None,
    encoding: None,
    sep: Sep = " ",
    fold: Fold = None,
) -> Counter[bytes]: ...

class Tally(Generic[Word]):
    """Word frequencies of many texts, gathered in C and read as a Counter."""
    def __init__(self, *, sep: Sep = " ", fold: Fold = None, threads: int | None = None) -> None: ...
    @property
    def sep(self) -> Sep: ...
    @property
    def fold(self) -> Fold: ...
    @property
    def threads(self) -> int | None: ...
    def update(self, contents: Text | ArrowColumn, /) -> None: ...
    def update_all(self, texts: Iterable[Text], /) -> None: ...
    def update_file(
        self,
        path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
        *,
        encoding: str | None = "utf-8",
    ) -> None: ...
    def merge(self, other: Tally[Word], /) -> None: ...
    def __getitem__(self, word: Word) -> int: ...
    def __contains__(self, word: object) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Word]: ...
    def items(self) -> list[tuple[Word, int]]: ...
    def total(self) -> int: ...
    def most_common(self, n: int | None = None, /) -> list[tuple[Word, int]]: ...
    def counter(self) -> Counter[Word]: ...

