"""The contracts and plan files, row by row: columns, and parsing each row into plain values.

No database here: everything a row can be checked for on its own is checked here, so the service
only has to compare the rows with what is already stored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from huikuan.core.money import ZERO
from huikuan.customers.choices import CustomerKind, CustomerType
from huikuan.customers.identity import IdentityError, looks_like_company_code
from huikuan.customers.services import normalise_identity
from huikuan.org.choices import ProductLine
from huikuan.sales.plans import PlanLine
from huikuan.sales.vocabulary import PAYMENT_METHOD_NAMES, item_kind_of, payment_method_of

from .errors import RowError
from .tables import Column, Row, Table
from .values import parse_amount, parse_date, parse_identity_text, parse_positive_amount, text

CONTRACT_COLUMNS = [
    Column("contract_no", ("合同编号", "contract_no", "合同号", "contract number")),
    Column("project", ("项目", "project", "项目名称", "楼盘", "project_name")),
    Column("building", ("楼栋", "building", "栋号", "楼号")),
    Column("unit", ("房号", "unit", "房间号", "unit_no", "room")),
    Column("customer_name", ("客户姓名", "customer_name", "客户名称", "买受人", "customer")),
    Column("id_number", ("证件号码", "id_number", "身份证号", "身份证号码", "证件号", "id_no")),
    Column("phone", ("联系电话", "phone", "手机", "手机号", "电话", "mobile")),
    Column("sign_date", ("签约日期", "sign_date", "signed_on")),
    Column("total_price", ("成交总价", "total_price", "合同总价", "成交价", "price")),
    Column("payment_method", ("付款方式", "payment_method")),
    Column("region", ("区域", "region"), required=False),
    Column("area", ("建筑面积", "area", "合同面积", "contract_area"), required=False),
    Column("product_line", ("产品类型", "product_line", "业态"), required=False),
    Column("customer_type", ("客户类型", "customer_type"), required=False),
    Column("co_owner_names", ("共有人", "co_owners", "co_owner", "共有人姓名"), required=False),
    Column("co_owner_ids", ("共有人证件号码", "co_owner_id_numbers", "co_owner_id_number", "共有人身份证号"),
           required=False),
]

PLAN_COLUMNS = [
    Column("contract_no", ("合同编号", "contract_no", "合同号")),
    Column("item", ("款项名称", "item", "款项")),
    Column("due_date", ("应收日期", "due_date")),
    Column("amount", ("应收金额", "amount")),
]

PRODUCT_LINES = {
    "住宅": ProductLine.RESIDENTIAL, "residential": ProductLine.RESIDENTIAL, "精装住宅": ProductLine.RESIDENTIAL,
    "商业": ProductLine.COMMERCIAL, "商铺": ProductLine.COMMERCIAL, "commercial": ProductLine.COMMERCIAL,
    "写字楼": ProductLine.OFFICE, "办公": ProductLine.OFFICE, "office": ProductLine.OFFICE,
    "loft": ProductLine.LOFT, "公寓": ProductLine.LOFT,
}
CUSTOMER_TYPES = {
    "首置": CustomerType.FIRST_HOME, "首套": CustomerType.FIRST_HOME, "刚需": CustomerType.FIRST_HOME,
    "firsthome": CustomerType.FIRST_HOME, "first_home": CustomerType.FIRST_HOME,
    "改善": CustomerType.UPGRADE, "upgrade": CustomerType.UPGRADE,
    "投资": CustomerType.INVESTOR, "investor": CustomerType.INVESTOR,
    "机构": CustomerType.INSTITUTION, "institution": CustomerType.INSTITUTION,
}
_kind_of = lru_cache(maxsize=4096)(item_kind_of)
_LIST_SEPARATORS = re.compile(r"[;；、,，/]")


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str          # normalised
    kind: str
    phone: str = ""
    customer_type: str = CustomerType.FIRST_HOME


@dataclass(slots=True)
class ContractRow:
    row: int
    contract_no: str
    project: str
    building: str
    unit: str
    region: str
    product_line: str
    area: Decimal | None
    parties: list[Person]
    sign_date: date
    price: Decimal
    payment_method: str
    plan: list[PlanLine] = field(default_factory=list)
    plan_rows: list[int] = field(default_factory=list)

    @property
    def unit_key(self) -> tuple[str, str, str]:
        return self.project, self.building, self.unit


def _required_text(table: Table, row: Row, name: str, errors: list[RowError]) -> str:
    value = text(row.cells.get(name))
    if not value:
        errors.append(table.error(row, name, "empty"))
    return value


_RESIDENT_SHAPE = re.compile(r"^\d{17}[\dX]$")


def identity_of(value: str) -> tuple[str, str]:
    """(kind, normalised number). A number shaped like a resident ID is checked as one first (one
    validation instead of three); a company code that happens to be all digits still gets through."""
    number = value.strip().upper().replace(" ", "")
    if _RESIDENT_SHAPE.match(number):
        try:
            return normalise_identity(number, CustomerKind.INDIVIDUAL)
        except IdentityError:
            if not looks_like_company_code(number):
                raise
    return normalise_identity(number)


def _person(table: Table, row: Row, name: str, id_cell: object, name_field: str, id_field: str,
            phone: str, customer_type: str | None, errors: list[RowError]) -> Person | None:
    try:
        kind, number = identity_of(parse_identity_text(id_cell))
    except (IdentityError, ValueError) as exc:
        errors.append(table.error(row, id_field, str(exc)))
        return None
    if not name:
        errors.append(table.error(row, name_field, "empty"))
        return None
    default_type = CustomerType.INSTITUTION if kind == CustomerKind.COMPANY else CustomerType.FIRST_HOME
    return Person(name, number, kind, phone, customer_type or default_type)


def parse_contract_row(table: Table, row: Row) -> tuple[ContractRow | None, list[RowError]]:
    errors: list[RowError] = []
    cells = row.cells
    contract_no = _required_text(table, row, "contract_no", errors)
    project = _required_text(table, row, "project", errors)
    building = _required_text(table, row, "building", errors)
    unit = _required_text(table, row, "unit", errors)
    name = _required_text(table, row, "customer_name", errors)
    values: dict[str, object] = {}
    for key, parser in (("sign_date", parse_date), ("total_price", parse_positive_amount)):
        if cells.get(key) is None:
            errors.append(table.error(row, key, "empty"))
            continue
        try:
            values[key] = parser(cells[key])
        except ValueError as exc:
            errors.append(table.error(row, key, str(exc)))
    method = payment_method_of(text(cells.get("payment_method")))
    if method is None:
        known = "、".join(k for k in PAYMENT_METHOD_NAMES if not k.isascii())
        errors.append(table.error(row, "payment_method",
                                  f"{text(cells.get('payment_method'))!r} is not a payment method ({known})"))
    area = None
    if cells.get("area") is not None:
        try:
            area = parse_positive_amount(cells["area"])
        except ValueError as exc:
            errors.append(table.error(row, "area", str(exc).replace("amount", "area")))
    product_line = ProductLine.RESIDENTIAL
    if cells.get("product_line") is not None:
        found = PRODUCT_LINES.get(text(cells["product_line"]).lower())
        if found is None:
            errors.append(table.error(row, "product_line", f"{text(cells['product_line'])!r} is not a product "
                                                           "line (住宅, 商业, 写字楼, loft)"))
        product_line = found or product_line
    customer_type = None
    if cells.get("customer_type") is not None:
        customer_type = CUSTOMER_TYPES.get(text(cells["customer_type"]).lower())
        if customer_type is None:
            errors.append(table.error(row, "customer_type", f"{text(cells['customer_type'])!r} is not a customer "
                                                            "type (首置, 改善, 投资, 机构)"))
    parties: list[Person] = []
    if cells.get("id_number") is None:
        errors.append(table.error(row, "id_number", "empty"))
    else:
        primary = _person(table, row, name, cells["id_number"], "customer_name", "id_number",
                          text(cells.get("phone")), customer_type, errors)
        if primary:
            parties.append(primary)
    co_names = [n.strip() for n in _LIST_SEPARATORS.split(text(cells.get("co_owner_names"))) if n.strip()]
    co_ids = [n.strip() for n in _LIST_SEPARATORS.split(text(cells.get("co_owner_ids"))) if n.strip()]
    if len(co_names) != len(co_ids):
        errors.append(table.error(row, "co_owner_ids" if co_names else "co_owner_names",
                                  f"{len(co_names)} co-owner name(s) but {len(co_ids)} ID number(s)"))
    else:
        for co_name, co_id in zip(co_names, co_ids, strict=True):
            person = _person(table, row, co_name, co_id, "co_owner_names", "co_owner_ids", "", None, errors)
            if person:
                parties.append(person)
        if len({p.id_number for p in parties}) != len(parties):
            errors.append(table.error(row, "co_owner_ids", "the same person is named twice on the contract"))
    if errors:
        return None, errors
    return ContractRow(
        row=row.number, contract_no=contract_no, project=project, building=building, unit=unit,
        region=text(cells.get("region")), product_line=product_line, area=area, parties=parties,
        sign_date=values["sign_date"], price=values["total_price"], payment_method=str(method),  # type: ignore[arg-type]
    ), []


def attach_plan(plan: Table, contracts: dict[str, ContractRow]) -> list[RowError]:
    """Parse the plan file onto the contracts it names; every contract's plan must sum to its price."""
    errors: list[RowError] = []
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for row in plan.rows:
        row_errors: list[RowError] = []
        number = _required_text(plan, row, "contract_no", row_errors)
        item = _required_text(plan, row, "item", row_errors)
        parsed: dict[str, object] = {}
        for key, parser in (("due_date", parse_date), ("amount", parse_amount)):
            if row.cells.get(key) is None:
                row_errors.append(plan.error(row, key, "empty"))
                continue
            try:
                parsed[key] = parser(row.cells[key])
            except ValueError as exc:
                row_errors.append(plan.error(row, key, str(exc)))
        if "amount" in parsed and parsed["amount"] == ZERO:
            row_errors.append(plan.error(row, "amount", "a plan line of 0.00"))
        contract = contracts.get(number) if number else None
        if number and contract is None:
            row_errors.append(plan.error(row, "contract_no", f"contract {number} is not in the contracts file"))
        errors.extend(row_errors)
        if row_errors or contract is None:
            continue
        kind, seq = _kind_of(item)
        if kind != "installment":
            counters[(number, kind)] += 1
            seq = counters[(number, kind)]
        contract.plan.append(PlanLine(kind, seq, item[:64], parsed["due_date"], parsed["amount"]))  # type: ignore[arg-type]
        contract.plan_rows.append(row.number)
    return errors


def plan_sum_errors(plan: Table, contracts_table: Table, contracts: list[ContractRow]) -> list[RowError]:
    errors: list[RowError] = []
    for contract in contracts:
        if not contract.plan:
            errors.append(contracts_table.error(contract.row, "contract_no",
                                                f"contract {contract.contract_no} has no lines in {plan.file}"))
            continue
        total = sum((line.amount for line in contract.plan), ZERO)
        if total != contract.price:
            errors.append(plan.error(
                contract.plan_rows[0], "amount",
                f"the plan of contract {contract.contract_no} sums to {total}, its price is {contract.price} "
                f"(difference {total - contract.price})"))
    return errors

