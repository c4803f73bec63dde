import os
from collections import Counter
from typing import Literal, overload

from _typeshed import ReadableBuffer

simd: str
"""The name of the kernel backend in use ("scalar", "sse2", "avx2", ...)."""

Sep = Literal[" "] | None
"""How a text splits into words: " " as line.split(" ") per line, None as str.split()."""
Fold = Literal["lower", "casefold"] | None
"""How words compare: as they are, or as word.lower() / word.casefold() (bytes: bytes.lower())."""

@overload
def search(contents: str, needle: str, *, threads: int | None = None, sep: Sep = " ",
           fold: Fold = None) -> int: ...
@overload
def search(contents: ReadableBuffer, needle: ReadableBuffer, *, threads: int | None = None,
           sep: Sep = " ", fold: Fold = None) -> int: ...
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
