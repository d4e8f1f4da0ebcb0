"""Deterministic contracts and plan files for the import benchmark (and for trying the importer).

    python -m bench.gen_contracts OUT_DIR --contracts 100000 [--seed 7] [--no-plan]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

PREFIXES = ["110105", "110108", "310104", "310115", "440305", "440106", "510104", "330106"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红宇浩然子轩欣怡梓涵"
PROJECTS = [("锦江学府", "成都区域", "住宅"), ("青年创业社区", "成都区域", "loft"),
            ("天府国际中心", "成都区域", "商业"), ("滨江壹号", "重庆区域", "住宅"),
            ("两江写字楼", "重庆区域", "写字楼")]
METHODS = ["商业按揭"] * 62 + ["公积金"] * 18 + ["一次性"] * 20
CONTRACT_HEADER = ["合同编号", "区域", "项目", "产品类型", "楼栋", "房号", "客户姓名", "证件号码", "联系电话",
                   "签约日期", "成交总价", "付款方式", "建筑面积"]
PLAN_HEADER = ["合同编号", "款项名称", "应收日期", "应收金额"]
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(rng: random.Random, serial: int) -> str:
    """A valid resident ID; `serial` makes it unique (birth date and sequence code come from it)."""
    birth = date(1960, 1, 1) + timedelta(days=serial // 1000 % 14000)
    body = f"{PREFIXES[serial // 14_000_000 % len(PREFIXES)]}{birth:%Y%m%d}{serial % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _plan(rng: random.Random, price: Decimal, sign: date, method: str) -> list[tuple[str, date, Decimal]]:
    """About 4.5 lines on average: deposit, down payment, installments or a loan, a final payment."""
    deposit = Decimal(rng.choice([20000, 50000, 100000]))
    down = (price * Decimal("0.3")).quantize(Decimal("1")) - deposit
    rest = price - deposit - down
    lines = [("定金", sign - timedelta(days=7), deposit), ("首付款", sign + timedelta(days=7), down)]
    if method == "一次性":
        parts = rng.choice([1, 2, 3])
        share = (rest / parts).quantize(Decimal("0.01"))
        for n in range(1, parts):
            lines.append((f"分期款{n}", sign + timedelta(days=30 * n), share))
        lines.append(("尾款", sign + timedelta(days=30 * parts), rest - share * (parts - 1)))
    else:
        fit_out = Decimal(rng.choice([0, 30000, 50000]))
        loan = rest - fit_out
        lines.append(("按揭款" if method == "商业按揭" else "公积金贷款", sign + timedelta(days=45), loan - 10000))
        lines.append(("尾款", sign + timedelta(days=90), Decimal(10000)))
        if fit_out:
            lines.append(("精装修款", sign + timedelta(days=60), fit_out))
    return lines


def write_files(out: Path, contracts: int, *, seed: int = 7, plan: bool = True,
                first_sign: date = date(2025, 1, 2)) -> tuple[Path, Path | None]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    contracts_path = out / f"contracts-{contracts}.csv"
    plan_path = out / f"plan-{contracts}.csv" if plan else None
    with contracts_path.open("w", newline="", encoding="utf-8-sig") as cfile:
        cw = csv.writer(cfile)
        cw.writerow(CONTRACT_HEADER)
        pw = None
        pfile = plan_path.open("w", newline="", encoding="utf-8-sig") if plan_path else None
        if pfile:
            pw = csv.writer(pfile)
            pw.writerow(PLAN_HEADER)
        for n in range(contracts):
            project, region, line = PROJECTS[n % len(PROJECTS)]
            building, unit = f"{n // 5 // 400 + 1}栋", f"{n // 5 % 400 + 101}"
            area = Decimal(rng.randint(6000, 18000)) / 100
            price = (area * Decimal(rng.randint(12000, 30000))).quantize(Decimal("1"))
            sign = first_sign + timedelta(days=rng.randint(0, 540))
            method = rng.choice(METHODS)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])
            cw.writerow([f"HT{n + 1:08d}", region, project, line, building, unit, name,
                         resident_id(rng, n * 7 + 13), f"13{rng.randint(0, 999999999):09d}", f"{sign:%Y-%m-%d}",
                         _money(price), method, f"{area}"])
            if pw:
                for item, due, amount in _plan(rng, price, sign, method):
                    pw.writerow([f"HT{n + 1:08d}", item, f"{due:%Y/%m/%d}", _money(amount)])
        if pfile:
            pfile.close()
    return contracts_path, plan_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-plan", action="store_true")
    args = parser.parse_args(argv)
    paths = write_files(args.out, args.contracts, seed=args.seed, plan=not args.no_plan)
    print(*[p for p in paths if p])


if __name__ == "__main__":
    main()
