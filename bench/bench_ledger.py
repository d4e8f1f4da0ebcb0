"""Ledger benchmarks: `import_contracts` of 100,000 contracts with plans (target < 60 s) and
`report balances` over 1,000,000 receivables (target < 5 s), each timed in its own process on a fresh
temporary SQLite database, with that process's peak memory.

    python -m bench ledger [--quick]          (--quick: a tenth of the sizes)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.gen_contracts import write_files

IMPORT_CONTRACTS, REPORT_RECEIVABLES = 100_000, 1_000_000
LINES_PER_CONTRACT = 4.53          # what gen_contracts writes on average
AS_OF = "2026-06-30"


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "HUIKUAN_VAR_DIR": str(work), "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "huikuan.settings"}


def _child(work: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.bench_ledger", "--child", *args], env=_env(work),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _migrate(work: Path) -> None:
    subprocess.run([sys.executable, "-m", "huikuan.cli", "migrate", "-v0"], env=_env(work), check=True)


# --- the timed parts (run in a child process) -------------------------------------------------


def _measure(work: Callable[[], int]) -> dict:
    import django

    django.setup()
    cpu, wall = time.process_time(), time.perf_counter()
    size = work()
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "size": size,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_import(contracts: str, plan: str) -> dict:
    def work() -> int:
        from huikuan.sales.importing import import_contracts

        return import_contracts(contracts, plan or None).created
    return _measure(work)


def child_receipts(share: str) -> dict:
    """Receipts for a realistic share of contracts: their plan lines due by AS_OF, paid in full or in
    part, bulk-inserted (the import path would allocate each one; this is set-up, not timed)."""
    def work() -> int:
        import random
        from datetime import date, timedelta

        from huikuan.core.bulk import insert_rows
        from huikuan.receivables.choices import ReceiptSource
        from huikuan.receivables.models import Receipt, Receivable

        rng = random.Random(11)
        as_of = date.fromisoformat(AS_OF)
        rows = []
        lines = Receivable.objects.filter(due_date__lte=as_of).values_list("contract_id", "due_date", "amount")
        for contract_id, due, amount in lines.iterator(chunk_size=20000):
            if contract_id % 100 >= int(share):
                continue
            paid = amount if rng.random() < 0.8 else (amount / 2).quantize(amount)
            day = min(due + timedelta(days=rng.randint(-5, 20)), as_of)
            rows.append((f"BR{len(rows) + 1:09d}", contract_id, paid, day, ReceiptSource.IMPORT, f"bench-{len(rows)}"))
        return insert_rows(Receipt, ["number", "contract", "amount", "received_on", "source", "reference"], rows,
                           fill_defaults=True)
    return _measure(work)


def child_report() -> dict:
    def work() -> int:
        from django.core.management import call_command

        from huikuan.receivables.models import Receivable

        with open(os.devnull, "w") as sink:
            stdout = sys.stdout
            sys.stdout = sink
            try:
                call_command("report", "balances", "--as-of", AS_OF, "--json")
            finally:
                sys.stdout = stdout
        return Receivable.objects.count()
    return _measure(work)


# --- the table ---------------------------------------------------------------------------------


def run(quick: bool = False) -> list[dict]:
    scale = 10 if quick else 1
    results = []
    with tempfile.TemporaryDirectory(prefix="huikuan-bench-") as tmp:
        work = Path(tmp) / "import"
        contracts, plan = write_files(work, IMPORT_CONTRACTS // scale)
        _migrate(work)
        measured = _child(work, "import", str(contracts), str(plan))
        results.append({**measured, "name": "import_contracts", "size": f"{measured['size']:,} contracts + plans",
                        "target": 60 / scale})
        work = Path(tmp) / "report"
        count = int(REPORT_RECEIVABLES / scale / LINES_PER_CONTRACT)
        contracts, plan = write_files(work, count, seed=3)
        _migrate(work)
        _child(work, "import", str(contracts), str(plan))
        _child(work, "receipts", "70")
        measured = _child(work, "report")
        results.append({**measured, "name": "report balances", "size": f"{measured['size']:,} receivables",
                        "target": 5 / scale})
    return results


def table(results: list[dict]) -> str:
    head = f"{'name':<18} | {'size':<28} | {'seconds':>8} | {'cpu s':>7} | {'peak RSS MB':>11} | {'target':>8} | result"
    lines = [head, "-" * len(head)]
    for r in results:
        verdict = "pass" if r["seconds"] < r["target"] else "FAIL"
        lines.append(f"{r['name']:<18} | {r['size']:<28} | {r['seconds']:>8.1f} | {r['cpu']:>7.1f} | "
                     f"{r['rss_mb']:>11.0f} | {'< ' + format(r['target'], 'g') + ' s':>8} | {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (targets scaled too)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        result = {"import": child_import, "receipts": child_receipts, "report": child_report}[kind](*rest)
        print(json.dumps(result))
        return 0
    results = run(quick=args.quick)
    print(table(results))
    return 0 if all(r["seconds"] < r["target"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
