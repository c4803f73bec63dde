"""Builds the C extension word_count._wordcount; metadata is in pyproject.toml.

WORD_COUNT_WERROR=1 turns warnings into errors (the test session sets it).
"""
import os

from setuptools import Extension, setup

SOURCES = [
    "wordcount.c",
    "csrc/kernel.c",
    "csrc/kernel_scalar.c",
    "csrc/kernel_sse2.c",
    "csrc/kernel_avx2.c",
    "csrc/kernel_avx512.c",
    "csrc/kernel_neon.c",
    "csrc/pool.c",
]

# -falign-loops=32: where the vector loop starts decides whether it runs at
# 21.4 or 26 us on the seed text (AMD Zen 5): an unrelated change to another
# file once moved it across a boundary. Aligned, it stays at the fast speed.
compile_args = ["-std=c11", "-O3", "-falign-loops=32", "-Wall", "-Wextra", "-fvisibility=hidden"]
if os.environ.get("WORD_COUNT_WERROR") == "1":
    compile_args.append("-Werror")
compile_args += os.environ.get("WORD_COUNT_EXTRA_CFLAGS", "").split()

setup(
    ext_modules=[
        Extension(
            "word_count._wordcount",
            sources=SOURCES,
            depends=[
                "csrc/kernel.h",
                "csrc/kernel_rule.h",
                "csrc/kernel_simd.h",
                "csrc/pool.h",
            ],
            extra_compile_args=compile_args,
            extra_link_args=["-pthread"],
        )
    ],
)
