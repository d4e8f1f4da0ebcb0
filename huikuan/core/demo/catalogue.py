"""The demo developer's reference data: regions, projects, partner banks, and unit layouts.

Specs are plain data; `write_*` functions bulk-create them (reference data carries no money, so it
may skip the services)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from huikuan.org.choices import ProductLine

CORE, NEW = "CORE", "NEW"
REGIONS = {CORE: "主城区", NEW: "新区"}


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    region: str
    product_line: str
    zone: str
    description: str
    area: tuple[int, int]            # m² range of a unit
    price_per_m2: tuple[int, int]    # yuan per m²
    floors: int
    units_per_floor: int
    building_prefix: str = ""


PROJECTS = {
    "A": ProjectSpec("JJXF", "锦江学府壹号", CORE, ProductLine.RESIDENTIAL, "核心城区",
                     "学区精装高端住宅：对口省级重点小学，交付标准精装；开盘即热销，老业主复购与推荐占比高。",
                     (89, 180), (38000, 52000), 32, 4),
    "C": ProjectSpec("TFGJ", "天府国际商业中心", CORE, ProductLine.COMMERCIAL, "核心城区",
                     "城市综合体商铺：运营商统一经营、十年返租（年化返租率 5%），机构投资者批量认购。",
                     (40, 260), (25000, 40000), 5, 24, "商业"),
    "D": ProjectSpec("YHF", "云湖府", NEW, ProductLine.RESIDENTIAL, "新区",
                     "新区改善型住宅，湖景洋房，主力面积 110–160 m²。",
                     (98, 165), (18000, 26000), 18, 4),
    "B": ProjectSpec("QCLF", "青创LOFT社区", NEW, ProductLine.LOFT, "新区",
                     "原滞销公寓项目，2026 年二季度重新定位为“青年创业者社区”：LOFT 户型，叠加新区人才购房补贴。",
                     (38, 72), (12000, 16500), 20, 12),
    "E": ProjectSpec("JRG", "新区金融港写字楼", NEW, ProductLine.OFFICE, "新区",
                     "甲级写字楼，可分割出售，面向中小企业与投资客。",
                     (80, 320), (14000, 20000), 26, 8),
}
PROJECT_KEYS = tuple(PROJECTS)


@dataclass(frozen=True)
class BankSpec:
    code: str
    name: str
    short_name: str
    promised_days: int


BANKS = (
    BankSpec("ICBC", "中国工商银行成都分行", "工商银行", 14),
    BankSpec("CCB", "中国建设银行成都分行", "建设银行", 14),
    BankSpec("ABC", "中国农业银行成都分行", "农业银行", 15),
    BankSpec("BOC", "中国银行成都分行", "中国银行", 14),
    BankSpec("CMB", "招商银行成都分行", "招商银行", 12),
)
PROVIDENT_CENTRE = "成都住房公积金管理中心"


@dataclass
class UnitSpec:
    project: str           # key in PROJECTS
    building: str
    number: str
    floor: int
    area: Decimal
    price_per_m2: Decimal

    @property
    def list_price(self) -> Decimal:
        return (self.area * self.price_per_m2 / 100).quantize(Decimal("1")) * 100


class UnitPlanner:
    """Hands out units floor by floor, building by building, with areas and prices drawn per unit."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.units: dict[str, list[UnitSpec]] = {key: [] for key in PROJECTS}

    def next_unit(self, key: str) -> UnitSpec:
        spec, taken = PROJECTS[key], self.units[key]
        per_building = spec.floors * spec.units_per_floor
        index = len(taken)
        building_no, rest = divmod(index, per_building)
        floor, slot = divmod(rest, spec.units_per_floor)
        floor += 2 if spec.product_line != ProductLine.COMMERCIAL else 1
        area = Decimal(self.rng.randint(spec.area[0] * 100, spec.area[1] * 100)) / 100
        low, high = spec.price_per_m2
        height_premium = Decimal(1) + Decimal(floor) / Decimal(400)
        price = (Decimal(self.rng.randint(low, high)) * height_premium).quantize(Decimal("1"))
        unit = UnitSpec(key, f"{spec.building_prefix}{building_no + 1}栋", f"{floor}{slot + 1:02d}", floor,
                        area, price)
        taken.append(unit)
        return unit
