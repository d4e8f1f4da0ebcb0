"""Dashboard and quarterly-review benchmark over 1,000,000 receivables (--quick: 100,000).

Builds a fresh database (temporary SQLite; or the PostgreSQL DATABASE_URL points at — it must be a
throw-away database, the bench writes into it), bulk-inserts contracts with four plan lines each and
receipts for most lines due by 2026-09-30, then times:
* the management dashboard page (view + template) for 2026Q3 with its pre-aggregated kpis warm — what a
  manager waits for; targets p95 < 1 s on SQLite, < 300 ms on PostgreSQL;
* the SQL-only measures the page can also compute live (collections, by method, completion, sell-through);
* the kpis document computed cold (every measure, incl. the ledger replays of receivables.balances);
* the quarterly review written as PDF and as PPTX, cold (kpis included) — target < 30 s each.

    python -m bench dashboard [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL, QUICK = 1_000_000, 100_000


def _env(work: Path) -> dict[str, str]:
    env = {**os.environ, "HUIKUAN_VAR_DIR": str(work), "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "huikuan.settings"}
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    return env


def _p(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def generate(receivables: int) -> int:
    """Bulk-insert the data set; returns the number of receivables written."""
    import random
    from datetime import date, timedelta
    from decimal import Decimal

    from huikuan.org.models import Building, Project, Region, SalesTarget, Unit
    from huikuan.receivables.models import Receipt, Receivable
    from huikuan.sales.models import Contract

    rng = random.Random(6)
    contracts = receivables // 4
    regions = [Region.objects.create(code=c, name=n) for c, n in (("CORE", "主城区"), ("NEW", "新区"))]
    lines = ["residential", "commercial", "loft", "office"]
    projects = [Project.objects.create(code=f"P{i:02d}", name=f"项目{i:02d}", region=regions[i % 2],
                                       product_line=lines[i % 4]) for i in range(10)]
    buildings = [Building.objects.create(project=p, name=f"{b + 1}栋") for p in projects for b in range(10)]
    per_building = contracts * 11 // 10 // len(buildings) + 1
    units = Unit.objects.bulk_create([Unit(building=b, number=f"{n:04d}", status="signed") for b in buildings
                                      for n in range(per_building)], batch_size=5000)
    for p in projects:
        for year, quarter in ((2025, 3), (2026, 2), (2026, 3), (2026, 4)):
            SalesTarget.objects.create(project=p, year=year, quarter=quarter, units=contracts // 40,
                                       amount_signed=Decimal(contracts // 40 * 2_000_000),
                                       amount_collected=Decimal(contracts // 40 * 1_800_000))
    methods = (["mortgage"] * 62 + ["provident_fund"] * 18 + ["lump_sum"] * 15 + ["installment"] * 3
               + ["combination"] * 2)
    project_of = {b.pk: b.project_id for b in buildings}
    start = date(2025, 1, 1)
    batch_c: list = []
    for i in range(contracts):
        unit = units[i]
        price = Decimal(rng.randrange(80, 300)) * 10000
        batch_c.append(Contract(contract_no=f"B{i:08d}", project_id=project_of[unit.building_id], unit=unit,
                                list_price=price, price=price, payment_method=rng.choice(methods),
                                sign_date=start + timedelta(days=rng.randrange(640))))
    created = Contract.objects.bulk_create(batch_c, batch_size=5000)
    end = date(2026, 9, 30)
    rows, receipts = [], []
    for c in created:
        shares = [(Decimal("0.05"), 0, "deposit"), (Decimal("0.25"), 7, "down_payment"),
                  (Decimal("0.60"), 30, "mortgage_loan"), (Decimal("0.10"), 90, "final_payment")]
        left = c.price
        for n, (share, days, kind) in enumerate(shares):
            amount = left if n == 3 else (c.price * share).quantize(Decimal("0.01"))
            left -= amount
            due = c.sign_date + timedelta(days=days)
            rows.append(Receivable(contract=c, kind=kind, name=kind, due_date=due, amount=amount))
            if due <= end and rng.random() < 0.93:
                paid_on = due + timedelta(days=rng.choice((0, 0, 0, 1, 3, 8, 20, 45)))
                method = "loan_disbursement" if kind == "mortgage_loan" else "bank_transfer"
                receipts.append(Receipt(number=f"R{len(receipts):09d}", contract=c, amount=amount,
                                        received_on=paid_on, method=method))
    Receivable.objects.bulk_create(rows, batch_size=5000)
    Receipt.objects.bulk_create(receipts, batch_size=5000)
    return len(rows)


def child(receivables: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, reverse

    from huikuan.reports.aggregates import snapshot
    from huikuan.reports.measures import EVERYTHING, collections, targets
    from huikuan.reports.periods import Period
    from huikuan.reports.review import write_review
    from huikuan.reports.views import ManagementDashboardView

    try:
        reverse("management-dashboard")
    except NoReverseMatch:   # huikuan/web_urls.py does not include the reports pages yet
        settings.ROOT_URLCONF = "huikuan.reports.tests.urls"
    from huikuan.receivables.models import Receivable

    call_command("migrate", verbosity=0)
    written = Receivable.objects.count()
    if written:
        print(f"data: reusing {written:,} receivables", flush=True)
    else:
        t = time.perf_counter()
        written = generate(receivables)
        print(f"data: {written:,} receivables written in {time.perf_counter() - t:.1f} s", flush=True)
    from django.db import connection

    title = f"what ({connection.vendor}, {written:,} receivables)"
    print(f"\n{title:<58} {'p50 s':>8} {'p95 s':>8} {'runs':>5}  target", flush=True)
    period = Period(2026, 3)

    def row(name: str, values: list[float], goal: str) -> None:
        print(f"{name:<58} {statistics.median(values):>8.3f} {_p(values, 95):>8.3f} {len(values):>5}  {goal}",
              flush=True)

    t = time.perf_counter()
    snapshot(period, EVERYTHING, refresh=True)
    row("kpis document, cold (every measure)", [time.perf_counter() - t], "—")

    user = get_user_model().objects.filter(username="bench").first() or \
        get_user_model().objects.create_superuser("bench", "b@example.com", "pw")
    view = ManagementDashboardView.as_view()
    times = []
    for _ in range(30):
        request = RequestFactory().get("/reports/management/", {"period": "2026Q3"})
        request.user = user
        t = time.perf_counter()
        view(request).render()
        times.append(time.perf_counter() - t)
    target = "< 0.3 s" if "postgres" in os.environ.get("DATABASE_URL", "") else "< 1 s"
    row("dashboard page, kpis pre-aggregated (p95)", times, target)

    live = {"collections_total": collections.collections_total,
            "collections_by_method": collections.collections_by_method,
            "target_completion": targets.target_completion, "sell_through": targets.sell_through,
            "collections_by_project": collections.collections_by_project}
    for name, measure in live.items():
        times = []
        for _ in range(10):
            t = time.perf_counter()
            measure(period, EVERYTHING)
            times.append(time.perf_counter() - t)
        row(f"measure {name}, live (p95)", times, target)

    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("pdf", "pptx"):
            t = time.perf_counter()
            write_review(period, EVERYTHING, fmt, Path(tmp) / f"review.{fmt}")
            row(f"quarterly review {fmt}, cold (kpis included)", [time.perf_counter() - t], "< 30 s")
            data = snapshot(period, EVERYTHING)
            t = time.perf_counter()
            write_review(period, EVERYTHING, fmt, Path(tmp) / f"review.{fmt}", data)
            row(f"quarterly review {fmt}, from the pre-aggregated kpis", [time.perf_counter() - t], "< 30 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dashboard")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} receivables instead of {FULL:,}")
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite database in DIR and reuse it next time")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    size = str(QUICK if args.quick else FULL)
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        return subprocess.run([sys.executable, "-m", "bench.bench_dashboard", "--child", size],
                              env=_env(Path(args.keep)), check=False).returncode
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "bench.bench_dashboard", "--child", size],
                              env=_env(Path(tmp)), check=False)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
