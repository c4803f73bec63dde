import os
from collections import Counter
from typing import overload

from _typeshed import ReadableBuffer

simd: str
"""The name of the kernel backend in use ("scalar", "sse2", "avx2", ...)."""

@overload
def search(contents: str, needle: str, *, threads: int | None = None) -> int: ...
@overload
def search(contents: ReadableBuffer, needle: ReadableBuffer, *, threads: int | None = None) -> int: ...
@overload
def search_sequential(contents: str, needle: str) -> int: ...
@overload
def search_sequential(contents: ReadableBuffer, needle: ReadableBuffer) -> int: ...
@overload
def search_sequential_allow_threads(contents: str, needle: str) -> int: ...
@overload
def search_sequential_allow_threads(contents: ReadableBuffer, needle: ReadableBuffer) -> int: ...

search_sequential_detached = search_sequential_allow_threads

@overload
def search_py(contents: str, needle: str) -> int: ...
@overload
def search_py(contents: ReadableBuffer, needle: ReadableBuffer) -> int: ...

def search_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    needle: str | ReadableBuffer,
    *,
    threads: int | None = None,
    encoding: str = "utf-8",
) -> int: ...

@overload
def counts(contents: str, *, threads: int | None = None) -> Counter[str]: ...
@overload
def counts(contents: ReadableBuffer, *, threads: int | None = None) -> Counter[bytes]: ...
@overload
def counts_py(contents: str) -> Counter[str]: ...
@overload
def counts_py(contents: ReadableBuffer) -> Counter[bytes]: ...
@overload
def counts_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    *,
    threads: int | None = None,
    encoding: str = "utf-8",
) -> Counter[str]: ...
@overload
def counts_file(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    *,
    threads: int | None = None,
    encoding: None,
) -> Counter[bytes]: ...
