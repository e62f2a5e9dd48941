"""What the pytest plugin adds to pytest's start, in every run of a project that has ulmock.

    python bench/bench_plugin_import.py [--runs 5]

Two pairs, each the best of N fresh interpreters (the best is the least disturbed by other
work on the machine), measured alternately so both sides see the same load:

  import      `python -c "import pytest"` vs `python -c "import pytest, ulmock.testing"`
  collection  `pytest --collect-only` in an empty folder, without plugins vs with only ulmock's
              (`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`, then `-p ulmock.testing`: other installed
              plugins, some of them slow to load, would only add noise)

Target (issue 10): the plugin adds at most 150 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

TARGET_MS = 150.0


NO_AUTOLOAD = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def wall_ms(command: list[str], cwd: str | None, env: dict[str, str] | None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode not in (0, 5):  # 5: pytest collected nothing, as expected in an empty folder
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return elapsed


def best_of(
    runs: int, bare: list[str], with_plugin: list[str], cwd: str | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    bare_times, plugin_times = [], []
    for _ in range(runs):
        bare_times.append(wall_ms(bare, cwd, env))
        plugin_times.append(wall_ms(with_plugin, cwd, env))
    return min(bare_times), min(plugin_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    print(f"best of {args.runs} subprocess starts, Python {sys.version.split()[0]}")
    print(f"{'measure':<12} {'bare pytest':>12} {'with ulmock':>12} {'added':>9}  target")
    worst = float("-inf")
    with tempfile.TemporaryDirectory() as empty:
        pairs = {
            "import": best_of(args.runs, [py, "-c", "import pytest"], [py, "-c", "import pytest, ulmock.testing"]),
            "collection": best_of(
                args.runs,
                [py, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                [py, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "ulmock.testing"],
                cwd=empty,
                env=NO_AUTOLOAD,
            ),
        }
    for name, (bare, plugin) in pairs.items():
        added = plugin - bare
        worst = max(worst, added)
        print(f"{name:<12} {bare:>9.1f} ms {plugin:>9.1f} ms {added:>+6.1f} ms  <= {TARGET_MS:.0f} ms")
    print(
        f"plugin overhead: {worst:+.1f} ms ({'within' if worst <= TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
