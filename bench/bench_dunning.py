"""Dunning benchmarks over 1,000,000 receivables on SQLite, each timed in its own process with its peak
memory: the first nightly overdue scan of a date (target < 60 s), a redo of the same date with
`--force` (idempotent: changes nothing), and `report aging --json` read from that scan (target < 5 s).

The database is built the way the ledger benchmark builds its report database (generated contracts
and plans through the importer, then receipts for ~70 % of the contracts), so a realistic share of
the plan lines is late on the scan date. CPU seconds and the load average stand beside each wall time:
the machine is shared, and wall time alone says little when other work runs.

    python -m bench dunning [--quick]            (--quick: a tenth of the size, targets scaled too)
    python -m bench.bench_dunning --keep DIR     reuse (or build once) DIR/base.sqlite3, for profiling
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_ledger import AS_OF, LINES_PER_CONTRACT, REPORT_RECEIVABLES, _env, _measure, _migrate
from bench.bench_ledger import _child as ledger_child
from bench.gen_contracts import write_files

SCAN_TARGET, REPORT_TARGET = 60, 5
PAID_SHARE = "70"     # per cent of contracts that have receipts (see bench_ledger.child_receipts)


def _child(work: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.bench_dunning", "--child", *args], env=_env(work),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load() -> float:
    return os.getloadavg()[0]


# --- the timed parts (run in a child process) -------------------------------------------------


def child_scan(force: str) -> dict:
    def work() -> int:
        from datetime import date

        from huikuan.dunning.scanning import scan_overdue

        return scan_overdue(date.fromisoformat(AS_OF), force=force == "force").contracts_done
    result = _measure(work)
    reader = resource.getrusage(resource.RUSAGE_CHILDREN)   # the read-ahead process, when one ran
    result["cpu"] += reader.ru_utime + reader.ru_stime
    result["reader_rss_mb"] = reader.ru_maxrss / 1024
    from huikuan.dunning.models import CollectionCase, LevelChange, OverdueSnapshot

    result["late_lines"] = OverdueSnapshot.objects.filter(as_of=AS_OF).count()
    result["cases"] = CollectionCase.objects.open().count()
    result["changes"] = LevelChange.objects.count()
    return result


def child_report() -> dict:
    def work() -> int:
        from datetime import date

        from huikuan.dunning.aging_report import aging_report

        report = aging_report(date.fromisoformat(AS_OF))
        assert report["source"] == "scan", report["source"]
        return sum(level["count"] for level in report["levels"].values())
    return _measure(work)


def child_stats() -> dict:
    import django

    django.setup()
    from huikuan.receivables.models import Receivable

    return {"receivables": Receivable.objects.count()}


# --- the run -----------------------------------------------------------------------------------


def build(work: Path, scale: int) -> int:
    """A migrated database with contracts, plans and receipts at work/bench.sqlite3; its receivables."""
    count = int(REPORT_RECEIVABLES / scale / LINES_PER_CONTRACT)
    contracts, plan = write_files(work, count, seed=3)
    _migrate(work)
    ledger_child(work, "import", str(contracts), str(plan))
    ledger_child(work, "receipts", PAID_SHARE)
    return int(_child(work, "stats")["receivables"])


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def measure(work: Path, receivables: int, scale: int) -> list[dict]:
    results = []
    for name, args in (("scan (first)", ("scan", "first")), ("scan (redo)", ("scan", "force"))):
        load = _load()
        got = _child(work, *args)
        results.append({**got, "name": name, "load": max(load, _load()), "target": SCAN_TARGET / scale,
                        "size": f"{receivables:,} receivables"})
        results[-1]["note"] = (f"{got['late_lines']:,} late lines, {got['cases']:,} open cases; "
                               f"reader process {got['reader_rss_mb']:.0f} MB")
    load = _load()
    got = _child(work, "report")
    results.append({**got, "name": "report aging", "load": max(load, _load()), "target": REPORT_TARGET / scale,
                    "size": f"{receivables:,} receivables", "note": f"{got['size']:,} late lines counted"})
    return results


def run(quick: bool = False, keep: Path | None = None) -> list[dict]:
    scale = 10 if quick else 1
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="huikuan-bench-") as tmp:
            work = Path(tmp) / "dunning"
            return measure(work, build(work, scale), scale)
    base = keep / f"base-{scale}.sqlite3"
    if not base.exists():
        fresh = keep / f"build-{scale}"
        shutil.rmtree(fresh, ignore_errors=True)
        receivables = build(fresh, scale)
        _copy(fresh / "bench.sqlite3", base)
        shutil.rmtree(fresh)
        (keep / f"base-{scale}.json").write_text(json.dumps({"receivables": receivables}))
    receivables = json.loads((keep / f"base-{scale}.json").read_text())["receivables"]
    work = keep / f"run-{scale}"
    _copy(base, work / "bench.sqlite3")
    return measure(work, receivables, scale)


def table(results: list[dict]) -> str:
    head = (f"{'name':<13} | {'size':<21} | {'seconds':>7} | {'cpu s':>6} | {'load':>4} | {'peak RSS MB':>11} | "
            f"{'target':>7} | result | what")
    lines = [head, "-" * len(head)]
    for r in results:
        verdict = "pass" if r["seconds"] < r["target"] else "FAIL"
        lines.append(f"{r['name']:<13} | {r['size']:<21} | {r['seconds']:>7.1f} | {r['cpu']:>6.1f} | "
                     f"{r['load']:>4.1f} | {r['rss_mb']:>11.0f} | {'< ' + format(r['target'], 'g') + ' s':>7} | "
                     f"{verdict:<6} | {r['note']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the size (targets scaled too)")
    parser.add_argument("--keep", type=Path, help="build the database once into this folder and reuse it")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        result = {"scan": child_scan, "report": child_report, "stats": child_stats}[kind](*rest)
        print(json.dumps(result))
        return 0
    results = run(quick=args.quick, keep=args.keep)
    print(table(results))
    return 0 if all(r["seconds"] < r["target"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
