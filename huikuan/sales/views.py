"""Contracts: the filtered list (HTMX-updated table, Excel export) and the contract page.

Row scope (`visible_to`) narrows every query here, export included. Balances come from
`receivables.balances` — the one definition of received / outstanding / overdue / late fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView
from openpyxl import Workbook

from huikuan.org.models import Project
from huikuan.receivables.balances import ContractBalance, balance_of, contract_balances
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.receivables.services import contract_credit

from .choices import ContractStatus, PaymentMethod
from .models import Contract, ContractParty

PAGE_SIZE = 50
EXPORT_CHUNK = 500


def is_htmx_partial(request: HttpRequest) -> bool:
    """An HTMX request that wants only the swapped fragment (not a boosted full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": gettext_lazy("Contract no., customer or unit")}))
    project = forms.ModelChoiceField(label=gettext_lazy("project"), queryset=Project.objects.none(), required=False,
                                     empty_label=gettext_lazy("All projects"))
    payment_method = forms.ChoiceField(label=gettext_lazy("payment method"), required=False,
                                       choices=[("", gettext_lazy("All payment methods")), *PaymentMethod.choices])
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False,
                               choices=[("", gettext_lazy("All statuses")), *ContractStatus.choices])
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.fields["project"].queryset = Project.objects.visible_to(user).order_by("code")  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)


def visible_contracts(user: Any) -> QuerySet[Contract]:
    """The contracts `user` may see, with what a list row shows loaded in the same few queries."""
    parties = ContractParty.objects.select_related("customer")
    return (Contract.objects.visible_to(user)
            .select_related("project", "unit__building")
            .prefetch_related(Prefetch("parties", queryset=parties))
            .order_by("-sign_date", "-pk"))


def filter_contracts(contracts: QuerySet[Contract], form: ContractFilterForm) -> QuerySet[Contract]:
    if not form.is_valid():
        return contracts.none()
    data = form.cleaned_data
    if data["project"]:
        contracts = contracts.filter(project=data["project"])
    if data["payment_method"]:
        contracts = contracts.filter(payment_method=data["payment_method"])
    if data["status"]:
        contracts = contracts.filter(status=data["status"])
    text = data["q"].strip()
    if text:
        by_customer = ContractParty.objects.filter(customer__name__icontains=text).values("contract_id")
        contracts = contracts.filter(Q(contract_no__icontains=text) | Q(unit__number__icontains=text)
                                     | Q(pk__in=by_customer))
    return contracts


def overdue_ids(contracts: QuerySet[Contract], as_of: date) -> list[int]:
    """Ids of `contracts` with an overdue amount as of the date, in the queryset's order."""
    overdue = {b.contract_id for b in contract_balances(as_of, contracts) if b.overdue > 0}
    return [pk for pk in contracts.values_list("pk", flat=True) if pk in overdue]


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    balance: ContractBalance

    @property
    def customers(self) -> str:
        return "、".join(party.customer.name for party in self.contract.parties.all())


def contract_rows(contracts: Sequence[Contract], as_of: date) -> list[ContractRow]:
    """List rows with their balances (three more queries, however many rows)."""
    if not contracts:
        return []
    ids = [c.pk for c in contracts]
    balances = {b.contract_id: b for b in contract_balances(as_of, Contract.objects.filter(pk__in=ids))}
    return [ContractRow(c, balances[c.pk]) for c in contracts]


def load_in_order(contracts: QuerySet[Contract], ids: Sequence[int]) -> list[Contract]:
    found = {c.pk: c for c in contracts.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


class ContractSearch:
    """The contract list as the request asks for it: scope, filters, search, overdue-only."""

    def __init__(self, request: HttpRequest) -> None:
        self.as_of = timezone.localdate()
        self.form = ContractFilterForm(request.GET, user=request.user)
        self.contracts = filter_contracts(visible_contracts(request.user), self.form)
        self.overdue_only = self.form.is_valid() and self.form.cleaned_data["overdue"]

    def ordered_ids(self) -> list[int] | None:
        """Ids in list order when overdue-only needs the balances first; None otherwise."""
        return overdue_ids(self.contracts, self.as_of) if self.overdue_only else None

    def page(self, number: Any) -> tuple[Any, list[ContractRow]]:
        ids = self.ordered_ids()
        if ids is None:
            page = Paginator(self.contracts, PAGE_SIZE).get_page(number)
            return page, contract_rows(list(page.object_list), self.as_of)
        id_page = Paginator(ids, PAGE_SIZE).get_page(number)
        return id_page, contract_rows(load_in_order(self.contracts, list(id_page.object_list)), self.as_of)

    def all_rows(self) -> Iterator[ContractRow]:
        ids = self.ordered_ids()
        if ids is None:
            ids = list(self.contracts.values_list("pk", flat=True))
        for start in range(0, len(ids), EXPORT_CHUNK):
            chunk = ids[start:start + EXPORT_CHUNK]
            yield from contract_rows(load_in_order(self.contracts, chunk), self.as_of)


class ContractListView(LoginRequiredMixin, TemplateView):
    template_name = "sales/contract_list.html"
    partial_template_name = "sales/_contract_table.html"

    def get_template_names(self) -> list[str]:
        return [self.partial_template_name if is_htmx_partial(self.request) else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        search = ContractSearch(self.request)
        page, rows = search.page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(form=search.form, page_obj=page, rows=rows, as_of=search.as_of,
                                        export_query=query.urlencode(), htmx_target="#contract-table", **kwargs)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


EXPORT_COLUMNS = [
    # (header, width, money?)
    (gettext_lazy("contract no."), 22, False), (gettext_lazy("project"), 18, False),
    (gettext_lazy("building"), 10, False), (gettext_lazy("unit"), 10, False),
    (gettext_lazy("customer"), 18, False), (gettext_lazy("payment method"), 14, False),
    (gettext_lazy("sign date"), 12, False), (gettext_lazy("status"), 10, False),
    (gettext_lazy("list price"), 16, True), (gettext_lazy("final price"), 16, True),
    (gettext_lazy("received"), 16, True), (gettext_lazy("outstanding"), 16, True),
    (gettext_lazy("overdue"), 16, True), (gettext_lazy("late fee accrued"), 14, True),
]
MONEY_FORMAT = "#,##0.00"


def export_cells(row: ContractRow) -> list[Any]:
    c, b = row.contract, row.balance
    return [c.contract_no, c.project.name, c.unit.building.name, c.unit.number, row.customers,
            c.get_payment_method_display(), c.sign_date, c.get_status_display(),
            c.list_price, c.price, b.received, b.outstanding, b.overdue, b.late_fee]


def contracts_workbook(rows: Iterable[ContractRow]) -> bytes:
    """One sheet, a header row, one row per contract; money cells are Decimal with two places."""
    book = Workbook()
    sheet = book.create_sheet(index=0)
    book.remove(book.worksheets[1])   # the default empty sheet
    sheet.title = str(_("Contracts"))
    sheet.append([str(header) for header, _w, _m in EXPORT_COLUMNS])
    sheet.freeze_panes = "A2"
    for index, (_h, width, _m) in enumerate(EXPORT_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in rows:
        sheet.append(export_cells(row))
        line = sheet.max_row
        sheet.cell(line, 7).number_format = "yyyy-mm-dd"
        for column, (_h, _w, is_money) in enumerate(EXPORT_COLUMNS, start=1):
            if is_money:
                sheet.cell(line, column).number_format = MONEY_FORMAT
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ContractExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        search = ContractSearch(request)
        content = contracts_workbook(search.all_rows())
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="contracts-{search.as_of:%Y-%m-%d}.xlsx"'
        return response


class ContractDetailView(LoginRequiredMixin, DetailView):
    template_name = "sales/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self) -> QuerySet[Contract]:
        return (Contract.objects.visible_to(self.request.user)
                .select_related("project__region", "unit__building", "agent", "subscription"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contract: Contract = self.object
        today = timezone.localdate()
        plan = contract.receivables.with_outstanding().order_by("due_date", "pk")  # type: ignore[attr-defined]
        return super().get_context_data(
            as_of=today,
            balance=balance_of(contract, today),
            credit=contract_credit(contract),
            parties=contract.parties.select_related("customer__advisor"),
            discounts=contract.discounts.all(),
            plan=plan,
            plan_total=sum((line.amount for line in plan), Decimal("0.00")),
            entries=LedgerEntry.objects.filter(contract=contract).select_related("receivable", "receipt")
            .order_by("posted_on", "pk"),
            receipts=Receipt.objects.filter(contract=contract).with_unallocated().order_by("received_on", "pk"),
            **kwargs)

