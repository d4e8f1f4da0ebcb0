"""Dashboard and quarterly-review benchmark over 1,000,000 receivables (--quick: 100,000).

Builds a fresh database (temporary SQLite; or the PostgreSQL DATABASE_URL points at — it must be a
throw-away database, the bench writes into it), bulk-inserts contracts with four plan lines each,
receipts for most lines due by 2026-09-30 and their allocations, then times:
* the kpis document computed cold (every measure, incl. the passes of receivables.balances);
* the scheduled pre-aggregation (reports.aggregates.refresh, the hourly job) from nothing;
* the management dashboard pages (view + template) — the company page, then what a manager clicks: each
  region, each project, three buildings with their contract lists, five other quarters of the period picker,
  on the first and the second visit — what a manager waits for; targets p95 < 1 s on SQLite, < 300 ms on
  PostgreSQL; and the page of a quarter whose facts are not stored (it computes them);
* the SQL measures alone (collections, by method, completion, sell-through);
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
    from huikuan.receivables.models import LedgerEntry, Receipt, Receivable
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
    rows, receipts, paid = [], [], []
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
                paid.append(len(rows) - 1)
    Receivable.objects.bulk_create(rows, batch_size=5000)
    Receipt.objects.bulk_create(receipts, batch_size=5000)
    # each receipt allocated to the line it pays (核销), as receivables.services would post it
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(contract_id=receipt.contract_id, receivable_id=rows[line].pk, kind="allocation",
                     amount=-receipt.amount, receipt_id=receipt.pk, posted_on=receipt.received_on)
         for receipt, line in zip(receipts, paid, strict=True)], batch_size=5000)
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
    from huikuan.reports.kpis import kpis_data
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
        from django.db import transaction

        t = time.perf_counter()
        with transaction.atomic():     # all or nothing: an interrupted run leaves no half data set behind
            written = generate(receivables)
        print(f"data: {written:,} receivables written in {time.perf_counter() - t:.1f} s", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":    # what autovacuum does after a bulk load; without statistics the
        with connection.cursor() as cursor:  # planner takes a quarter's 225,000 receipts for a few hundred
            cursor.execute("ANALYZE")
    title = f"what ({connection.vendor}, {written:,} receivables)"
    print(f"\n{title:<58} {'p50 s':>8} {'p95 s':>8} {'runs':>5}  target", flush=True)
    period = Period(2026, 3)

    def row(name: str, values: list[float], goal: str) -> None:
        print(f"{name:<58} {statistics.median(values):>8.3f} {_p(values, 95):>8.3f} {len(values):>5}  {goal}",
              flush=True)

    t = time.perf_counter()
    kpis_data(period, EVERYTHING)
    row("kpis document, cold (every measure), one process", [time.perf_counter() - t], "—")
    t = time.perf_counter()
    kpis_data(period, EVERYTHING, parallel=True)      # as `huikuan report kpis` does
    row("kpis document, cold, as the command line (2 processes)", [time.perf_counter() - t], "—")

    user = get_user_model().objects.filter(username="bench").first() or \
        get_user_model().objects.create_superuser("bench", "b@example.com", "pw")
    view = ManagementDashboardView.as_view()

    def page(params: dict[str, str]) -> float:
        request = RequestFactory().get("/reports/management/", params)
        request.user = user
        t = time.perf_counter()
        response = view(request)
        response.render()
        assert response.status_code == 200, (params, response.status_code)
        return time.perf_counter() - t

    # the pages read what the scheduled (hourly) pre-aggregation keeps warm, and nothing else
    from huikuan.reports.aggregates import refresh
    from huikuan.reports.models import KpiSnapshot, PeriodFacts

    KpiSnapshot.objects.all().delete()
    PeriodFacts.objects.all().delete()
    t = time.perf_counter()
    refresh()
    row("pre-aggregation from nothing (8 quarters' facts, 2 kpis)", [time.perf_counter() - t], "—")
    t = time.perf_counter()
    refresh()
    row("pre-aggregation, the hourly job (2 recent quarters)", [time.perf_counter() - t], "—")

    target = "< 0.3 s" if "postgres" in os.environ.get("DATABASE_URL", "") else "< 1 s"
    times = [page({"period": "2026Q3"}) for _ in range(30)]
    row("dashboard page, company 2026Q3 (p95)", times, target)

    # what a manager clicks: each region, each project, three buildings (with their contract lists), and the
    # period picker's other quarters — each page's first visit (nothing cached for that scope or period
    # beyond what the scheduled refresh keeps warm), then a second visit
    from huikuan.org.models import Building, Project, Region

    clicks = [{"period": "2026Q3", "region": code} for code in Region.objects.values_list("code", flat=True)]
    clicks += [{"period": "2026Q3", "project": code} for code in Project.objects.values_list("code", flat=True)]
    for project, building in Building.objects.order_by("project__code", "name").values_list(
            "project__code", "pk")[:30:10]:
        clicks.append({"period": "2026Q3", "project": project, "building": str(building)})
    clicks += [{"period": label} for label in ("2026Q2", "2026Q1", "2025Q4", "2025Q3", "2026Q4")]
    first = [page(params) for params in clicks]
    row(f"drill-down + period picker, first visit ({len(clicks)} pages, p95)", first, target)
    again = [page(params) for params in clicks]
    row("drill-down + period picker, second visit (p95)", again, target)
    print(f"{'slowest first visit: ' + str(clicks[first.index(max(first))]):<58}", flush=True)

    # the cold path of the page: a quarter without stored facts (one outside the picker, or "立即重新计算")
    from huikuan.reports.models import PeriodFacts

    PeriodFacts.objects.filter(period="2026Q3").delete()
    cold = page({"period": "2026Q3", "project": "P01"})
    row("page of a quarter without stored facts (computes them)", [cold], "— (the hourly job's work)")

    # the SQL measures alone (the facts refresh runs these, grouped per project; the pages do not)
    live = {"collections_total": collections.collections_total,
            "collections_by_method": collections.collections_by_method,
            "target_completion": targets.target_completion, "sell_through": targets.sell_through,
            "collections_by_project": collections.collections_by_project}
    for name, measure in live.items():
        times = []
        for _ in range(5):
            t = time.perf_counter()
            measure(period, EVERYTHING)
            times.append(time.perf_counter() - t)
        row(f"measure {name} alone, live (p95)", times, "—")

    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("pdf", "pptx"):
            t = time.perf_counter()
            write_review(period, EVERYTHING, fmt, Path(tmp) / f"review.{fmt}", parallel=True)   # as the CLI
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
