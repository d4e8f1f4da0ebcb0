"""`make bench` = `python -m bench [NAME …] [--quick]`: run every bench/bench_*.py and print its table.

A benchmark module exposes `main(argv)` (it prints its own table; `--quick` is passed on) or `run()`
(whatever it returns is printed). Each runs in its own process, so peak memory figures stay separate.

    python -m bench                 all of them
    python -m bench ledger          only bench_ledger.py
    python -m bench matching --quick
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = """
import importlib, sys
module = importlib.import_module(sys.argv[1])
if hasattr(module, "main"):
    code = module.main(sys.argv[2:])
    sys.exit(code if isinstance(code, int) else 0)
result = module.run()
if result is not None:
    print(result)
"""


def available() -> dict[str, str]:
    """{short name: entry point} for every bench_*.py that has a main(argv) or a run()."""
    found = {}
    for path in sorted(HERE.glob("bench_*.py")):
        source = path.read_text(encoding="utf-8")
        if re.search(r"^def main\(", source, re.M):
            found[path.stem.removeprefix("bench_")] = "main"
        elif re.search(r"^def run\(", source, re.M):
            found[path.stem.removeprefix("bench_")] = "run"
    return found


def main(argv: list[str] | None = None) -> int:
    benches = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(benches)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes (a tenth), for a quick look")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in benches]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; there are: {', '.join(benches)}")
    failed = []
    for name in args.names or list(benches):
        print(f"\n== {name} ==", flush=True)
        extra = ["--quick"] if args.quick and benches[name] == "main" else []
        done = subprocess.run([sys.executable, "-c", RUNNER, f"bench.bench_{name}", *extra], cwd=HERE.parent,
                              check=False)
        if done.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nmissed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
