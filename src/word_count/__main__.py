"""python -m word_count NEEDLE [FILE ...]: the word-count command (word_count._cli)."""
from ._cli import run

if __name__ == "__main__":
    run()
