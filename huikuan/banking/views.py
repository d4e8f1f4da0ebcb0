"""Pages: the review queue (keyboard friendly, HTMX), a match with its split form, statement upload with
job progress, and the accounts with their collections. Decisions call banking.services only."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from huikuan.core.calendar import parse_day
from huikuan.core.money import MoneyError, to_money
from huikuan.mortgages.models import Bank
from huikuan.org.models import Project
from huikuan.receivables.exceptions import LedgerError
from huikuan.receivables.models import Receivable
from huikuan.reports.registry import ReportOptions
from huikuan.sales.models import Contract

from . import notices
from .choices import OPEN_STATUSES, ExceptionKind, MatchStatus
from .models import BankAccount, ImportJob, Match
from .querysets import sees_bank_accounts
from .reports import collections_chart, reconciliation
from .services import accounts as account_setup
from .services import review
from .services.disbursements import place_by_list
from .services.jobs import queue_import
from .statements import ColumnMapping, StatementError


class BankingAccess(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self) -> bool:
        return sees_bank_accounts(self.request.user)  # type: ignore[attr-defined]


def visible_jobs(user: Any) -> QuerySet[ImportJob]:
    """The imports a person started, and those into accounts they may see."""
    return ImportJob.objects.filter(Q(created_by_id=user.pk) | Q(
        account_no__in=BankAccount.objects.visible_to(user).values("account_no")))


def visible_matches(user: Any) -> QuerySet[Match]:
    return (Match.objects.visible_to(user).live()  # type: ignore[attr-defined]
            .select_related("transaction__account", "contract").prefetch_related("lines__receivable__contract"))


class ReviewQueueView(BankingAccess, ListView):
    """The queue: suggestions and exceptions first; filters by account, status, exception kind, dates, text."""

    template_name = "banking/review_queue.html"
    context_object_name = "matches"
    paginate_by = 50

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "queue-rows":
            return ["banking/_queue_rows.html"]
        return [self.template_name]

    def get_queryset(self) -> QuerySet[Match]:
        params = self.request.GET
        matches = visible_matches(self.request.user).order_by("transaction__date", "pk")
        wanted = params.get("status", "queue")
        if wanted == "queue":
            matches = matches.filter(status__in=OPEN_STATUSES)
        elif wanted in MatchStatus.values:
            matches = matches.filter(status=wanted)
        if params.get("kind") in ExceptionKind.values:
            matches = matches.filter(exception_kind=params["kind"])
        if params.get("account", "").isdigit():
            matches = matches.filter(transaction__account_id=int(params["account"]))
        for name, lookup in (("from", "gte"), ("to", "lte")):
            with contextlib.suppress(ValueError):
                matches = matches.filter(**{f"transaction__date__{lookup}": date.fromisoformat(params.get(name, ""))})
        text = params.get("q", "").strip()
        if text:
            matches = matches.filter(Q(transaction__counterparty__icontains=text) | Q(transaction__memo__icontains=text)
                                     | Q(transaction__bank_ref__icontains=text)
                                     | Q(contract__contract_no__icontains=text))
        return matches

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        return super().get_context_data(
            accounts=BankAccount.objects.visible_to(self.request.user), statuses=MatchStatus.choices,
            kinds=ExceptionKind.choices, status=params.get("status", "queue"), kind=params.get("kind", ""),
            account=params.get("account", ""), date_from=params.get("from", ""), date_to=params.get("to", ""),
            q=params.get("q", ""), can_review=self.request.user.has_perm(review.REVIEW), **kwargs)


class MatchDetailView(BankingAccess, DetailView):
    """One bank line: why the engine thought what it did, and the split form over candidate receivables."""

    template_name = "banking/match_detail.html"
    context_object_name = "match"

    def get_queryset(self) -> QuerySet[Match]:
        return visible_matches(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        match = self.object
        contract_no = self.request.GET.get("contract", "").strip()
        ids = [c["contract_id"] for c in match.candidates] + [line.receivable.contract_id for line in match.lines.all()]
        contracts = Contract.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
        chosen = contracts.filter(Q(pk__in=ids) | Q(contract_no=contract_no)) if contract_no else contracts.filter(
            pk__in=ids)
        open_lines = (Receivable.objects.open().filter(contract__in=chosen).select_related("contract")
                      .order_by("contract__contract_no", "due_date", "pk"))
        proposed = {line.receivable_id: line.amount for line in match.lines.all()}
        user = self.request.user
        return super().get_context_data(open_lines=open_lines, proposed=proposed, contract_no=contract_no,
                                        can_review=user.has_perm(review.REVIEW), settling=review.settling(match),
                                        can_write_off=user.has_perm(review.WRITE_OFF),
                                        can_refund=user.has_perm(review.REVIEW) and user.has_perm("receivables.refund"),
                                        **kwargs)


class DecisionView(BankingAccess, View):
    """POST confirm / reject / unmatch / split on a match; HTMX gets the updated row, others a redirect."""

    def post(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        match = get_object_or_404(visible_matches(request.user), pk=pk)
        note = request.POST.get("note", "") or request.headers.get("HX-Prompt", "")
        try:
            result = self._decide(request, match, decision, note)
        except PermissionDenied:
            raise
        except (LedgerError, StatementError, MoneyError) as exc:
            if request.headers.get("HX-Request"):
                return HttpResponse(notices.translated(str(exc)), status=409)
            messages.error(request, notices.translated(str(exc)))
            return redirect("banking:match-detail", pk=match.pk)
        shown = result or Match.objects.get(pk=match.pk)
        if request.headers.get("HX-Request"):
            row = visible_matches(request.user).filter(pk=shown.pk).first() or shown
            return render(request, "banking/_queue_row.html", {"m": row, "can_review": True})
        messages.success(request, _("Done."))
        if decision in ("write-off", "refund-excess"):  # settled from the line's page: back to it
            return redirect("banking:match-detail", pk=shown.pk)
        return redirect(reverse("banking:review-queue"))

    def _decide(self, request: HttpRequest, match: Match, decision: str, note: str) -> Match | None:
        actor = request.user
        if decision == "confirm":
            return review.confirm(actor=actor, match=match, note=note)
        if decision == "reject":
            return review.reject(actor=actor, match=match, note=note)
        if decision == "unmatch":
            return review.unmatch(actor=actor, match=match, reason=note)
        if decision == "split":
            lines = []
            for key in request.POST:
                value = request.POST.get(key, "")
                if key.startswith("amount_") and value.strip():
                    receivable_id = int(key.removeprefix("amount_"))
                    if not Receivable.objects.visible_to(actor).filter(pk=receivable_id).exists():  # type: ignore[attr-defined]
                        raise PermissionDenied("receivable outside your projects")
                    lines.append(review.Line(receivable_id, to_money(value)))
            return review.split(actor=actor, match=match, lines=lines, note=note)
        if decision == "write-off":
            review.write_off_difference(actor=actor, match=match, reason=note)
            return None
        if decision == "refund-excess":
            review.refund_excess(actor=actor, match=match, reason=note)
            return None
        raise StatementError(f"unknown decision {decision!r}")


class DisbursementListView(BankingAccess, PermissionRequiredMixin, View):
    """POST the bank's list of the buyers a batch transfer pays (放款清单): the transfer is placed row by row."""

    permission_required = review.REVIEW

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        match = get_object_or_404(visible_matches(request.user), pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the bank's list to upload."))
            return redirect("banking:match-detail", pk=match.pk)
        try:
            listing, placed = place_by_list(actor=request.user, txn=match.transaction, data=upload.read(),
                                            file_name=upload.name or "")
        except StatementError as exc:
            messages.error(request, notices.translated(f"{upload.name}: {exc}"))
            return redirect("banking:match-detail", pk=match.pk)
        messages.success(request, _("The list was imported: %(n)s row(s).") % {"n": listing.rows.count()})
        return redirect("banking:match-detail", pk=placed.pk)


class AccountForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=128, required=False)
    bank = forms.ModelChoiceField(label=_("bank"), queryset=Bank.objects.order_by("name"), required=False)
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none(), required=False)
    is_escrow = forms.BooleanField(label=_("escrow account (预售资金监管)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]


class AccountEditView(BankingAccess, PermissionRequiredMixin, View):
    """Set up an account a first import created: its name, bank, project and escrow flag."""

    permission_required = account_setup.CHANGE
    template_name = "banking/account_edit.html"

    def _account(self, request: HttpRequest, pk: int) -> BankAccount:
        return get_object_or_404(BankAccount.objects.visible_to(request.user), pk=pk)  # type: ignore[attr-defined]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self._account(request, pk)
        form = AccountForm(user=request.user, initial={"name": account.name, "bank": account.bank,
                                                       "project": account.project, "is_escrow": account.is_escrow})
        return render(request, self.template_name, {"account": account, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self._account(request, pk)
        form = AccountForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                account_setup.update_account(actor=request.user, account=account, **form.cleaned_data)
            except StatementError as exc:
                form.add_error(None, notices.translated(str(exc)))
            else:
                messages.success(request, _("Saved."))
                return redirect("banking:accounts")
        return render(request, self.template_name, {"account": account, "form": form}, status=400)


class UploadForm(forms.Form):
    account_no = forms.CharField(label=_("account no."), max_length=64)
    file = forms.FileField(label=_("statement file"))
    mapping = forms.JSONField(label=_("column mapping (JSON, optional)"), required=False)


class StatementUploadView(BankingAccess, PermissionRequiredMixin, View):
    permission_required = "banking.import_statement"
    template_name = "banking/upload.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = ImportJob.objects.filter(created_by_id=request.user.pk)[:10]
        return render(request, self.template_name, {"form": UploadForm(), "jobs": jobs})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "jobs": []}, status=400)
        upload = form.cleaned_data["file"]
        try:
            mapping = ColumnMapping.from_dict(form.cleaned_data["mapping"]) if form.cleaned_data["mapping"] else None
        except StatementError as exc:
            form.add_error("mapping", notices.translated(str(exc)))
            return render(request, self.template_name, {"form": form, "jobs": []}, status=400)
        job = queue_import(actor=request.user, data=upload.read(), filename=upload.name,
                           account_no=form.cleaned_data["account_no"], mapping=mapping)
        return redirect("banking:job", pk=job.pk)


class JobView(BankingAccess, DetailView):
    """An import's progress; the progress block polls itself (HTMX) until the job is finished."""

    template_name = "banking/job.html"
    context_object_name = "job"

    def get_queryset(self) -> QuerySet[ImportJob]:
        return visible_jobs(self.request.user)

    def get_template_names(self) -> list[str]:
        return ["banking/_job_progress.html" if self.request.headers.get("HX-Request") else self.template_name]


class AccountListView(BankingAccess, TemplateView):
    """Accounts (escrow flagged) with their collections over a period (default: the last 30 days) — a stacked bar
    of what became of each account's money in — and the period's sales-versus-finance differences: the
    `reconciliation` report as a page."""

    template_name = "banking/accounts.html"
    LIST_ROWS = 50  # rows shown of each list of differences (the report's JSON has them all)
    CHART_ACCOUNTS = 30  # bars in the chart: the accounts with the most money in (the table lists them all)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        start = parse_day(self.request.GET.get("from"), today - timedelta(days=29))
        end = parse_day(self.request.GET.get("to"), today)
        start, end = min(start, end), max(start, end)
        user = self.request.user
        report = reconciliation(ReportOptions(as_of=today, date_from=start, date_to=end, user=user))
        figures = report["accounts"]
        by_no = {row["account_no"]: row for row in figures}
        accounts = BankAccount.objects.visible_to(user).select_related("bank", "project")
        rows = []
        for a in accounts:
            f = by_no.get(a.account_no)
            rows.append((a, f, _exceptions_of(f)))
        collected = sum((Decimal(f["auto"]["amount"]) + Decimal(f["confirmed"]["amount"]) for _, f, _ in rows if f),
                        Decimal("0.00"))
        chart = collections_chart(figures, limit=self.CHART_ACCOUNTS)
        chart["labels"] = {"auto": _("auto-matched"), "confirmed": _("confirmed"), "suggested": _("suggested"),
                           "unidentified": _("unidentified"), "other": _("exceptions and not yet matched"),
                           "unit": _("yuan")}
        return super().get_context_data(rows=rows, date_from=start, date_to=end, collected=collected, chart=chart,
                                        sales=report["sales_vs_finance"], list_rows=self.LIST_ROWS,
                                        can_edit=self.request.user.has_perm(account_setup.CHANGE), **kwargs)


def _exceptions_of(figures: dict[str, Any] | None) -> list[tuple[str, int, str]]:
    """(label, count, amount) of each kind of exception an account's lines raised in the period."""
    if not figures:
        return []
    return [(str(ExceptionKind(kind).label), cell["count"], cell["amount"])
            for kind, cell in figures["exceptions"].items() if cell["count"]]


def bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message)
