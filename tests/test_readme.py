"""The README's examples say what they print: its console examples run from
the repository root with the installed package, its Python examples are
doctests."""
import doctest
import os
import pathlib
import re
import subprocess
import sys

import pytest

from child import child_environment

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def console_examples():
    """(command, expected output) for every "$ " line of the console blocks."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


def test_the_readme_has_console_examples():
    assert len(console_examples()) >= 3


@pytest.mark.parametrize("command, output", console_examples(),
                         ids=[c for c, _ in console_examples()])
def test_console_example_prints_what_the_readme_shows(command, output):
    env = child_environment()
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.stderr == ""
    assert result.stdout == output


def test_python_examples_are_true():
    """Each ```python block with ">>>" prompts, run as a doctest."""
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
              if ">>>" in b]
    runner = doctest.DocTestRunner()
    for number, block in enumerate(blocks):
        test = doctest.DocTestParser().get_doctest(block, {}, f"README block {number}",
                                                   str(README), 0)
        runner.run(test)
    failures, tried = runner.summarize(verbose=False)
    assert tried >= 2 and failures == 0
