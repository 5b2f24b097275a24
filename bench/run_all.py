"""Run every `bench/*_bench.py` in turn (the `make bench` entry point).

Each script runs in its own interpreter (the one running this file) with its
output passed straight through. With `--smoke` each script that offers a
`--smoke` option (its source mentions it) gets it: a short run that checks the
benchmark works, not a measurement; a script without one runs as it is, with
a note saying so. Further arguments after `--` go to every script.

Exit status: 0 when every script exited 0, else 1 (each failure is named).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def bench_scripts(directory: Path = BENCH_DIR) -> list[Path]:
    """The benchmark scripts in `directory`, in name order."""
    return sorted(directory.glob("*_bench.py"))


def offers_smoke(script: Path) -> bool:
    """Whether `script` takes a `--smoke` option (by its source, without running it)."""
    return '"--smoke"' in script.read_text(errors="replace")


def run_script(script: Path, options: Sequence[str]) -> int:
    """Run one benchmark script, its output going to ours; returns its exit status."""
    note = ""
    if "--smoke" in options and not offers_smoke(script):
        options = [option for option in options if option != "--smoke"]
        note = " (it has no --smoke option: full run)"
    print(f"=== {script.name} {' '.join(options)}".rstrip() + note, flush=True)
    started = time.monotonic()
    status = subprocess.run([sys.executable, str(script), *options], check=False).returncode
    print(f"=== {script.name}: exit {status} after {time.monotonic() - started:.1f} s\n",
          flush=True)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="short runs: check, don't measure")
    parser.add_argument("extra", nargs="*", help="options passed to every script (after --)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    options = (["--smoke"] if args.smoke else []) + list(args.extra)
    scripts = bench_scripts()
    if not scripts:
        print(f"no *_bench.py scripts in {BENCH_DIR}")
        return 1
    failed = [script.name for script in scripts if run_script(script, options) != 0]
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    print(f"all {len(scripts)} benchmarks finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
