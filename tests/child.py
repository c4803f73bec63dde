"""Running code in a fresh interpreter, for what is read once at import."""
import os
import subprocess
import sys

import word_count


def child_environment(**env):
    """os.environ without WORD_COUNT_THREADS, plus `env`, importing this
    word_count (not the source tree's, which has no compiled module)."""
    package_root = os.path.dirname(os.path.dirname(word_count.__file__))
    full_env = {k: v for k, v in os.environ.items() if k != "WORD_COUNT_THREADS"}
    full_env.update(env, PYTHONPATH=package_root)
    return full_env


def run_python(code, **env):
    """Runs `code` in a new interpreter that imports this word_count (not the
    source tree's), with `env` added to the environment; returns its stdout."""
    result = subprocess.run([sys.executable, "-c", code], env=child_environment(**env), cwd="/",
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout
