import os
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
