"""Benchmark of the matching engine (and a splink baseline) on generated data with ground truth.

    .venv/bin/python bench/bench_matching.py [--txns 100000 --items 1000000] [--no-splink]

Definitions (an allocation is a triple transaction, receivable, amount to the cent):
  recall         = correct allocations proposed (auto or suggested, i.e. level high or medium) / true allocations
  precision      = correct proposed allocations / all proposed allocations (high + medium)
  auto precision = correct auto-confirmed allocations (level high) / all auto-confirmed allocations
  no-alloc ok    = transactions that should allocate nothing (unrelated, the repeat of a duplicate) that
                   indeed allocate nothing / such transactions
Low proposals allocate nothing, so they count as misses. Times are wall clock and process CPU (the CPU
time is the fairer figure when other processes share the cores; the load average is printed too).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.statements_gen import KINDS, generate  # noqa: E402
from huikuan.banking.matching import Matcher  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _q(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def score(data, proposals):
    per = defaultdict(lambda: defaultdict(int))
    for p in proposals:
        kind = data.kind[p.txn_key]
        truth = {(rid, _q(a)) for rid, a in data.truth[p.txn_key]}
        got = {(rid, _q(a)) for rid, a in p.allocations} if p.level in ("high", "medium") else set()
        hit = len(truth & got)
        for k in (kind, "overall"):
            s = per[k]
            s["txns"] += 1
            s["truth"] += len(truth)
            s["proposed"] += len(got)
            s["correct"] += hit
            if p.level == "high":
                s["auto"] += len(got)
                s["auto_correct"] += hit
                s["auto_txns"] += 1
            if not truth:
                s["none_expected"] += 1
                s["none_ok"] += not got
    return per


def _pct(a, b):
    return f"{100 * a / b:6.2f}%" if b else "     -"


def print_table(title, per, seconds, n_txns):
    print(f"\n{title}")
    print(f"{'noise kind':18} {'txns':>7} {'precision':>9} {'recall':>8} {'auto prec':>9} {'auto share':>10} "
          f"{'no-alloc ok':>11}")
    order = [k for k, _ in KINDS] + ["overall"]
    for kind in order:
        s = per.get(kind)
        if not s:
            continue
        print(f"{kind:18} {s['txns']:7d} {_pct(s['correct'], s['proposed']):>9} {_pct(s['correct'], s['truth']):>8} "
              f"{_pct(s['auto_correct'], s['auto']):>9} {_pct(s['auto_txns'], s['txns']):>10} "
              f"{_pct(s['none_ok'], s['none_expected']):>11}")
    print(f"time {seconds:.2f} s, throughput {n_txns / seconds:,.0f} txns/s")


def run_engine(data):
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    matcher = Matcher(data.items)
    c1, t1 = time.process_time(), time.perf_counter()
    proposals = matcher.match(data.txns)
    c2, t2 = time.process_time(), time.perf_counter()
    return proposals, (t1 - t0, t2 - t1), (c1 - c0, c2 - c1)


def _load() -> str:
    try:
        return "load average {:.2f} {:.2f} {:.2f} on {} cores".format(*os.getloadavg(), os.cpu_count())
    except OSError:
        return "load average unknown"


def run_splink(data):
    """Baseline: splink 5 (DuckDB) links transactions to open items on name, amount, contract number,
    unit and payer account; each transaction takes its best-scoring item above 0.9 match probability."""
    try:
        import duckdb  # noqa: F401
        import splink  # noqa: F401
    except ImportError as exc:
        print(f"\nsplink baseline: not run (splink is not installed: {exc})")
        return None
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink import comparison_library as cl

    from huikuan.banking.matching.normalize import (
        contract_key,
        contract_keys_in,
        latin_variants,
        name_key,
        pinyin_of,
        unit_keys_in,
    )

    t0 = time.perf_counter()
    rows_l = defaultdict(list)
    for it in data.items:
        nk = name_key(it.party_names[0]) if it.party_names else ""
        units = unit_keys_in(it.unit_labels[0]) if it.unit_labels else []
        for k, v in (("unique_id", f"i{it.receivable_id}"), ("name", nk), ("pinyin", pinyin_of(nk)),
                     ("amount", str(it.outstanding.quantize(Decimal("0.01")))),
                     ("contract", contract_key(it.contract_no)),
                     ("unit", units[0][0] if units else None),
                     ("account", next(iter(it.known_payer_accounts), None))):
            rows_l[k].append(v)
    rows_r = defaultdict(list)
    for t in data.txns:
        nk = name_key(t.counterparty)
        lat = latin_variants(t.counterparty)
        refs = contract_keys_in(t.memo)
        units = [k for k, full in unit_keys_in(t.memo) if full] or [k for k, _ in unit_keys_in(t.memo)]
        for k, v in (("unique_id", f"t{t.key}"), ("name", nk), ("pinyin", lat[-1] if lat else pinyin_of(nk)),
                     ("amount", str(t.amount.quantize(Decimal("0.01")))), ("contract", refs[0] if refs else None),
                     ("unit", units[0] if units else None), ("account", t.counterparty_account or None)):
            rows_r[k].append(v)
    db = DuckDBAPI()
    left = db.register(pa.table(dict(rows_l)), dataset_display_name="items")
    right = db.register(pa.table(dict(rows_r)), dataset_display_name="txns")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("contract"), cl.ExactMatch("unit"), cl.ExactMatch("account"),
            cl.JaroWinklerAtThresholds("name", [0.9, 0.8]), cl.ExactMatch("pinyin"), cl.ExactMatch("amount"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("contract"), block_on("account"), block_on("name", "amount"), block_on("pinyin", "amount"),
            block_on("unit", "amount"),
        ],
    )
    linker = Linker([left, right], settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    for rule in (block_on("contract"), block_on("amount")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    preds = linker.inference.predict(threshold_match_probability=0.9).as_record_list()
    best = {}
    for r in preds:
        a, b = r["unique_id_l"], r["unique_id_r"]
        item, txn = (a, b) if str(a).startswith("i") else (b, a)
        p = r["match_probability"]
        if txn not in best or p > best[txn][0]:
            best[txn] = (p, int(str(item)[1:]))
    seconds = time.perf_counter() - t0
    items_by_id = {it.receivable_id: it for it in data.items}

    class P:  # a proposal-like record for score()
        def __init__(self, key, allocations):
            self.txn_key, self.allocations, self.level = key, allocations, "high"

    amounts = {t.key: t.amount for t in data.txns}
    proposals = []
    for t in data.txns:
        hit = best.get(f"t{t.key}")
        alloc = []
        if hit and amounts[t.key] > 0:
            it = items_by_id[hit[1]]
            alloc = [(it.receivable_id, min(amounts[t.key], it.outstanding))]
        proposals.append(P(t.key, alloc))
    return score(data, proposals), seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--txns", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--splink", dest="splink", action="store_true", default=True)
    ap.add_argument("--no-splink", dest="splink", action="store_false")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    data = generate(args.txns, args.items, args.seed)
    print(f"generated {len(data.txns):,} transactions and {len(data.items):,} open items "
          f"in {time.perf_counter() - t:.1f} s (seed {args.seed})")
    print(f"before the engine: {_load()}")
    rss_before = _peak_mb()
    proposals, (t_index, t_match), (c_index, c_match) = run_engine(data)
    print(f"after the engine: {_load()}")
    per = score(data, proposals)
    print_table(f"huikuan engine (wall: index {t_index:.2f} s + match {t_match:.2f} s; "
                f"CPU: index {c_index:.2f} s + match {c_match:.2f} s)", per, t_index + t_match, len(data.txns))
    print(__doc__.split("Definitions", 1)[1].split("Low proposals")[0].rstrip().replace("\n  ", "\n  ", 1))
    levels = defaultdict(int)
    for p in proposals:
        levels[p.level] += 1
    print("levels: " + ", ".join(f"{k} {v:,}" for k, v in sorted(levels.items())))
    print(f"peak memory (RSS, whole process so far): {_peak_mb():,.0f} MB "
          f"(generator and data alone: {rss_before:,.0f} MB)")
    o = per["overall"]
    auto = o["auto_correct"] / o["auto"] if o["auto"] else 0
    recall = o["correct"] / o["truth"] if o["truth"] else 0
    print(f"targets: auto precision {100 * auto:.2f}% (>= 99.5%) {'OK' if auto >= 0.995 else 'MISSED'}; "
          f"recall {100 * recall:.2f}% (>= 97%) {'OK' if recall >= 0.97 else 'MISSED'}; "
          f"engine {t_index + t_match:.1f} s wall, {c_index + c_match:.1f} s CPU (< 10 s) "
          f"{'OK' if t_index + t_match < 10 else 'OK on CPU time' if c_index + c_match < 10 else 'MISSED'}")
    if args.splink:
        out = run_splink(data)
        if out is not None:
            per_s, secs = out
            print_table("splink 5 (DuckDB) baseline: best item per transaction, p >= 0.9", per_s, secs,
                        len(data.txns))
    else:
        print("\nsplink baseline: skipped (--no-splink)")


if __name__ == "__main__":
    main()
