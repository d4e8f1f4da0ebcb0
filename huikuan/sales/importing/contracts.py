"""Importing contracts with their payment plans: validate the whole file, then write it in one go.

The result is what `sales.services.sign_contract` would have produced for each row — the same
project, unit status, contract area, primary party, default terms and plan (the payment method's
template, or the imported plan) — but written with bulk inserts, so 100,000 contracts take seconds
rather than hours. Nothing is written when any row is wrong; re-importing a file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction

from huikuan.core.bulk import LOOKUP_CHUNK, ids_by, insert_rows
from huikuan.core.services import record
from huikuan.customers.models import Customer
from huikuan.org.choices import UnitStatus
from huikuan.org.models import Building, Project, Region, Unit
from huikuan.sales.models import Contract, ContractParty
from huikuan.sales.plans import build_plan

from .contract_rows import CONTRACT_COLUMNS, PLAN_COLUMNS, ContractRow, attach_plan, parse_contract_row, plan_sum_errors
from .errors import ImportFailed, RowError
from .tables import Table, read_table

T = TypeVar("T")
Progress = Callable[..., Iterable[Any]]   # tqdm-like: progress(iterable, total=…, desc=…)
BATCH = 5000          # contracts written per step
DEFAULT_REGION = ("UNASSIGNED", "未指定区域")


@dataclass
class ContractImportResult:
    file: str
    created: int = 0
    skipped: int = 0
    customers_created: int = 0
    units_created: int = 0
    projects_created: int = 0
    receivables_created: int = 0
    created_numbers: list[str] = field(default_factory=list, repr=False)


def _no_progress(iterable: Iterable[T], **_: Any) -> Iterable[T]:
    return iterable


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def import_contracts(contracts_path: str | Path, plan_path: str | Path | None = None, *, actor: Any = None,
                     progress: Progress = _no_progress) -> ContractImportResult:
    """Import a contracts file (and optionally its plan file). Raises ImportFailed listing every error."""
    table = read_table(contracts_path, CONTRACT_COLUMNS)
    plan_table = read_table(plan_path, PLAN_COLUMNS) if plan_path is not None else None
    rows, errors = _parse_rows(table, progress)
    by_number = {row.contract_no: row for row in rows}
    if plan_table is not None:
        errors += attach_plan(plan_table, by_number)
    existing = _existing_contracts(list(by_number))
    new_rows = [row for row in rows if row.contract_no not in existing]
    errors += _compare_existing(table, [row for row in rows if row.contract_no in existing], existing)
    if plan_table is not None:
        errors += plan_sum_errors(plan_table, table, new_rows)
    else:
        errors += _template_plans(table, new_rows)
    plan = _Plan.prepare(table, new_rows, errors)
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: (e.file != table.file, e.file, e.row or 0)))
    result = ContractImportResult(file=table.file, skipped=len(rows) - len(new_rows))
    if new_rows:
        with transaction.atomic():
            plan.write(result, actor, progress)
    return result


def _parse_rows(table: Table, progress: Progress) -> tuple[list[ContractRow], list[RowError]]:
    rows: list[ContractRow] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    unit_row: dict[tuple[str, str, str], int] = {}
    for raw in progress(table.rows, total=len(table.rows), desc="checking", unit="row"):
        parsed, row_errors = parse_contract_row(table, raw)
        errors += row_errors
        if parsed is None:
            continue
        if parsed.contract_no in first_row:
            errors.append(table.error(raw, "contract_no",
                                      f"contract {parsed.contract_no} is also on row {first_row[parsed.contract_no]}"))
            continue
        if parsed.unit_key in unit_row:
            errors.append(table.error(raw, "unit", f"unit {'/'.join(parsed.unit_key)} is also sold on row "
                                                   f"{unit_row[parsed.unit_key]}"))
            continue
        first_row[parsed.contract_no] = raw.number
        unit_row[parsed.unit_key] = raw.number
        rows.append(parsed)
    return rows, errors


def _existing_contracts(numbers: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    fields = ("pk", "contract_no", "project__name", "unit__building__name", "unit__number", "sign_date", "price",
              "payment_method")
    for chunk in _chunks(numbers, LOOKUP_CHUNK):
        for values in Contract.objects.filter(contract_no__in=chunk).values(*fields):
            found[values["contract_no"]] = values
    if found:
        primaries = ContractParty.objects.filter(contract_id__in=[v["pk"] for v in found.values()], is_primary=True)
        by_pk = {v["pk"]: v for v in found.values()}
        for contract_id, id_number in primaries.values_list("contract_id", "customer__id_number"):
            by_pk[contract_id]["id_number"] = id_number
    return found


def _compare_existing(table: Table, rows: list[ContractRow], existing: dict[str, dict[str, Any]]) -> list[RowError]:
    """An existing identical contract is skipped; one that differs is an error naming the field."""
    errors = []
    for row in rows:
        stored = existing[row.contract_no]
        pairs = [("project", stored["project__name"], row.project),
                 ("building", stored["unit__building__name"], row.building),
                 ("unit", stored["unit__number"], row.unit),
                 ("id_number", stored.get("id_number"), row.parties[0].id_number),
                 ("sign_date", stored["sign_date"], row.sign_date),
                 ("total_price", stored["price"], row.price),
                 ("payment_method", stored["payment_method"], row.payment_method)]
        for column, old, new in pairs:
            if old != new:
                header = table.headers.get(column, column)
                errors.append(table.error(row.row, column, f"contract {row.contract_no} already exists with "
                                                           f"{header} {old}; the file says {new}"))
    return errors


def _template_plans(table: Table, rows: list[ContractRow]) -> list[RowError]:
    errors = []
    for row in rows:
        try:
            row.plan = build_plan(row.payment_method, row.price, row.sign_date)
        except ValueError as exc:
            errors.append(table.error(row.row, "total_price", str(exc)))
    return errors


@dataclass
class _Plan:
    """What the new rows need from the database, looked up once, and the objects still to create."""

    rows: list[ContractRow]
    regions: dict[str, Region]
    projects: dict[str, Project]
    buildings: dict[tuple[str, str], Building]
    units: dict[tuple[str, str, str], dict[str, Any]]
    customers: dict[str, int]

    @classmethod
    def prepare(cls, table: Table, rows: list[ContractRow], errors: list[RowError]) -> _Plan:
        regions: dict[str, Region] = {}
        for region in Region.objects.all():
            regions.setdefault(region.name, region)
            regions.setdefault(region.code, region)
        project_names = {row.project for row in rows}
        projects = {p.name: p for p in Project.objects.filter(name__in=project_names)}
        buildings = {(b.project.name, b.name): b
                     for b in Building.objects.filter(project__in=projects.values()).select_related("project")}
        units: dict[tuple[str, str, str], dict[str, Any]] = {}
        unit_rows = Unit.objects.filter(building__in=buildings.values()).values(
            "pk", "building__project__name", "building__name", "number", "status", "pre_sale_area")
        for unit in unit_rows.iterator(chunk_size=5000):
            units[(unit["building__project__name"], unit["building__name"], unit["number"])] = dict(unit)
        plan = cls(rows, regions, projects, buildings, units, {})
        plan._check_units(table, errors)
        plan._check_customers(table, errors)
        return plan

    def _check_units(self, table: Table, errors: list[RowError]) -> None:
        for row in self.rows:
            unit = self.units.get(row.unit_key)
            if unit is not None and unit["status"] != UnitStatus.AVAILABLE:
                errors.append(table.error(row.row, "unit", f"unit {'/'.join(row.unit_key)} is already "
                                                           f"{unit['status']}"))

    def _check_customers(self, table: Table, errors: list[RowError]) -> None:
        names: dict[str, tuple[str, int]] = {}
        for row in self.rows:
            for index, person in enumerate(row.parties):
                column = "customer_name" if index == 0 else "co_owner_names"
                first = names.setdefault(person.id_number, (person.name, row.row))
                if first[0] != person.name:
                    errors.append(table.error(row.row, column, f"ID number {person.id_number} is {first[0]} on row "
                                                               f"{first[1]}, here {person.name}"))
        for chunk in _chunks(list(names), LOOKUP_CHUNK):
            for pk, number, name in Customer.objects.filter(id_number__in=chunk).values_list("pk", "id_number", "name"):
                self.customers[number] = pk
                if names[number][0] != name:
                    errors.append(table.error(names[number][1], "customer_name",
                                              f"ID number {number} belongs to customer {name}, the file says "
                                              f"{names[number][0]}"))

    # --- writing ---------------------------------------------------------------------------

    def write(self, result: ContractImportResult, actor: Any, progress: Progress) -> None:
        from huikuan.receivables.models import Receivable

        user_id = actor.pk if getattr(actor, "pk", None) else None
        existing_units = [self.units[row.unit_key]["pk"] for row in self.rows if row.unit_key in self.units]
        for chunk in _chunks(existing_units, LOOKUP_CHUNK):
            Unit.objects.filter(pk__in=chunk).update(status=UnitStatus.SIGNED)
        self._create_places(result)
        self._create_customers(result)
        steps = progress(_chunks(self.rows, BATCH), total=-(-len(self.rows) // BATCH), desc="writing", unit="batch")
        for batch in steps:
            insert_rows(Contract, ["contract_no", "project", "unit", "list_price", "price", "payment_method",
                                   "sign_date", "contract_area"],
                        (self._contract_values(row) for row in batch), fill_defaults=True)
            contract_ids = ids_by(Contract.objects, "contract_no", [row.contract_no for row in batch])
            insert_rows(ContractParty, ["contract", "customer", "is_primary"],
                        ((contract_ids[row.contract_no], self.customers[person.id_number], index == 0)
                         for row in batch for index, person in enumerate(row.parties)), fill_defaults=True)
            result.receivables_created += insert_rows(
                Receivable, ["contract", "kind", "seq", "name", "due_date", "amount", "created_by"],
                ((contract_ids[row.contract_no], line.kind, line.seq, line.name, line.due_date, line.amount, user_id)
                 for row in batch for line in row.plan), fill_defaults=True)
            result.created += len(batch)
            result.created_numbers += [row.contract_no for row in batch]
        first = Contract.objects.get(contract_no=self.rows[0].contract_no)
        record(actor, "contracts.imported", first, file=result.file, created=result.created,
               skipped=result.skipped, customers_created=result.customers_created,
               units_created=result.units_created, projects_created=result.projects_created,
               receivables_created=result.receivables_created)

    def _contract_values(self, row: ContractRow) -> tuple[Any, ...]:
        unit = self.units[row.unit_key]
        return (row.contract_no, self.projects[row.project].pk, unit["pk"], row.price, row.price, row.payment_method,
                row.sign_date, row.area or unit["pre_sale_area"])

    def _create_places(self, result: ContractImportResult) -> None:
        new_projects = []
        taken_codes = set(Project.objects.values_list("code", flat=True))
        for row in self.rows:
            if row.project in self.projects:
                continue
            region = self._region(row.region or DEFAULT_REGION[1])
            code = _free_code("IMP", taken_codes)
            project = Project(code=code, name=row.project, region=region, product_line=row.product_line)
            self.projects[row.project] = project
            new_projects.append(project)
        Project.objects.bulk_create(new_projects)
        result.projects_created = len(new_projects)
        new_buildings = []
        for row in self.rows:
            key = (row.project, row.building)
            if key not in self.buildings:
                self.buildings[key] = Building(project=self.projects[row.project], name=row.building)
                new_buildings.append(self.buildings[key])
        Building.objects.bulk_create(new_buildings, batch_size=BATCH)
        new_rows = [row for row in self.rows if row.unit_key not in self.units]
        result.units_created = insert_rows(Unit, ["building", "number", "pre_sale_area", "status"], (
            (self.buildings[(row.project, row.building)].pk, row.unit, row.area, UnitStatus.SIGNED)
            for row in new_rows), fill_defaults=True)
        building_ids = {self.buildings[(row.project, row.building)].pk for row in new_rows}
        by_building = {b.pk: key for key, b in self.buildings.items()}
        for chunk in _chunks(sorted(building_ids), LOOKUP_CHUNK):
            for pk, building_id, number, area in Unit.objects.filter(building_id__in=chunk).values_list(
                    "pk", "building_id", "number", "pre_sale_area"):
                unit_key = (*by_building[building_id], number)
                if unit_key not in self.units:
                    self.units[unit_key] = {"pk": pk, "pre_sale_area": area}

    def _region(self, name: str) -> Region:
        region = self.regions.get(name)
        if region is None:
            if name == DEFAULT_REGION[1]:
                code = DEFAULT_REGION[0]
            else:
                code = _free_code("IMP-R", {r.code for r in self.regions.values()})
            region = Region.objects.create(code=code, name=name)
            self.regions[name] = self.regions[code] = region
        return region

    def _create_customers(self, result: ContractImportResult) -> None:
        new: dict[str, Any] = {}
        for row in self.rows:
            for person in row.parties:
                if person.id_number not in self.customers and person.id_number not in new:
                    new[person.id_number] = person
        result.customers_created = insert_rows(
            Customer, ["kind", "name", "id_number", "phone", "customer_type"],
            ((p.kind, p.name, p.id_number, p.phone, p.customer_type) for p in new.values()), fill_defaults=True)
        self.customers.update(ids_by(Customer.objects, "id_number", new))


def _free_code(prefix: str, taken: set[str]) -> str:
    n = len(taken) + 1
    while f"{prefix}{n:04d}" in taken:
        n += 1
    code = f"{prefix}{n:04d}"
    taken.add(code)
    return code
