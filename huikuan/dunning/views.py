"""Pages: the collector worklist, the case page, disputes with their SLA timer, the aging and dunning
reports with charts, and the customer's dispute form (reached through the link in a reminder).

Thin: row scope narrows every query; every change is one call into `dunning.services`. A refusal is shown in the
reader's language (`dunning.notices`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from huikuan.core.calendar import parse_day
from huikuan.core.roles import READ_ONLY_ROLES, roles_of
from huikuan.org.models import Project
from huikuan.receivables.models import Receivable
from huikuan.receivables.services import outstanding_of

from . import notices, services
from .aging_report import aging_report
from .bill import receivable_from_token
from .choices import CallOutcome, DisputeOutcome, DisputeSource, Level
from .dunning_report import dunning_report
from .models import CaseAction, CollectionCase, Dispute

PAGE_SIZE = 50


def may_work(user: Any) -> bool:
    return bool(user.is_superuser or (roles_of(user) - set(READ_ONLY_ROLES)))


class WorklistFilter(forms.Form):
    level = forms.ChoiceField(required=False, choices=[("", gettext_lazy("All levels")), *Level.choices])
    project = forms.ModelChoiceField(required=False, queryset=Project.objects.none(),
                                     empty_label=gettext_lazy("All projects"))
    mine = forms.BooleanField(required=False, label=gettext_lazy("My cases"))
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": gettext_lazy("Contract no. or customer")}))

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.fields["project"].queryset = Project.objects.visible_to(user).order_by("code")  # type: ignore[attr-defined]


class WorklistView(LoginRequiredMixin, View):
    """Open cases, most important first (amount × days × risk), with filters and bulk actions."""

    def cases(self, request: HttpRequest, form: WorklistFilter) -> Any:
        cases = CollectionCase.objects.visible_to(request.user).worklist()
        if form.is_valid():
            data = form.cleaned_data
            if data["level"]:
                cases = cases.filter(level=data["level"])
            if data["project"]:
                cases = cases.filter(contract__project=data["project"])
            if data["mine"]:
                cases = cases.filter(owner=request.user)
            if data["q"]:
                cases = cases.filter(Q(contract__contract_no__icontains=data["q"])
                                     | Q(customer__name__icontains=data["q"]))
        return cases

    def get(self, request: HttpRequest) -> HttpResponse:
        form = WorklistFilter(request.GET or None, user=request.user)
        page = Paginator(self.cases(request, form), PAGE_SIZE).get_page(request.GET.get("page"))
        owners = get_user_model().objects.filter(staff_profile__isnull=False).order_by("username")
        return render(request, "dunning/worklist.html", {"form": form, "page": page, "owners": owners,
                                                         "may_work": may_work(request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Bulk: hold / release / escalate / assign the ticked cases (each its own service call)."""
        if not may_work(request.user):
            raise PermissionDenied
        ids = [int(x) for x in request.POST.getlist("case") if x.isdigit()]
        cases = CollectionCase.objects.visible_to(request.user).open().filter(pk__in=ids)
        operation, reason = request.POST.get("operation", ""), request.POST.get("reason", "")
        owner = get_user_model().objects.filter(pk=request.POST.get("owner") or 0).first()
        until = request.POST.get("until")
        data = {"operation": operation, "reason": reason,
                "until": parse_day(until, timezone.localdate() + timedelta(days=7)) if until else None}
        from .api.views import bulk_operation

        done = 0
        for case in cases:
            try:
                bulk_operation(case, request.user, data, owner)
                done += 1
            except services.CaseError as exc:
                messages.error(request, _("%(contract)s: %(refusal)s") % {
                    "contract": case.contract.contract_no, "refusal": notices.translated(str(exc))})
        messages.success(request, _("%(n)d case(s) updated.") % {"n": done})
        return HttpResponseRedirect(reverse("dunning-worklist") + "?" + request.GET.urlencode())


class CaseView(LoginRequiredMixin, View):
    """One case: figures, the title-transfer hold, planned and done steps, calls, promises, disputes."""

    def case(self, request: HttpRequest, pk: int) -> CollectionCase:
        return get_object_or_404(CollectionCase.objects.visible_to(request.user)
                                 .select_related("contract", "contract__project", "contract__unit", "customer",
                                                 "owner", "policy"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(request, pk)
        contract = case.contract
        lines = list(contract.receivables.order_by("due_date", "pk"))
        owed = outstanding_of([r.pk for r in lines])
        title_hold = contract.title_transfer_requires_full_payment and sum(owed.values()) > 0
        return render(request, "dunning/case.html", {
            "case": case, "actions": case.actions.select_related("step", "actor"),
            "promises": case.promises.all(), "restructurings": case.restructurings.all(),
            "disputes": Dispute.objects.filter(contract=contract), "lines": [(r, owed[r.pk]) for r in lines],
            "title_hold": title_hold, "may_work": may_work(request.user), "outcomes": CallOutcome.choices,
            "levels": Level.choices, "today": timezone.localdate(),
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not may_work(request.user):
            raise PermissionDenied
        case = self.case(request, pk)
        p, user, today = request.POST, request.user, timezone.localdate()
        try:
            operation = p.get("operation")
            if operation == "hold":
                services.hold(case, actor=user, until=parse_day(p.get("until"), today + timedelta(days=7)),
                              reason=p.get("reason", ""))
            elif operation == "release":
                services.release(case, actor=user, reason=p.get("reason") or "released")
            elif operation == "escalate":
                services.escalate(case, actor=user, reason=p.get("reason", ""), to_level=p.get("to_level") or None)
            elif operation == "call":
                services.log_call(case, actor=user, outcome=p.get("outcome", ""), note=p.get("note", ""))
            elif operation == "promise":
                services.promise_to_pay(case, actor=user, amount=p.get("amount", ""),
                                        pay_by=parse_day(p.get("pay_by"), today), made_on=today)
            elif operation == "skip":
                action = get_object_or_404(CaseAction, pk=p.get("action"), case=case)
                services.skip_step(action, actor=user, reason=p.get("reason", ""))
            else:
                raise services.CaseError("unknown operation")
            messages.success(request, _("Saved."))
        except (services.CaseError, ValueError) as exc:
            messages.error(request, notices.translated(str(exc)))
        return HttpResponseRedirect(reverse("dunning-case", args=[case.pk]))


class DisputeListView(LoginRequiredMixin, TemplateView):
    template_name = "dunning/disputes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        disputes = Dispute.objects.visible_to(self.request.user).select_related("contract", "owner", "receivable")
        status = self.request.GET.get("status", "open")
        if status in ("open", "resolved"):
            disputes = disputes.filter(status=status)
        now = timezone.now()
        rows = [(d, d.breached(now), d.time_left(now)) for d in disputes[:500]]
        return super().get_context_data(rows=rows, status=status, now=now, **kwargs)


class DisputeView(LoginRequiredMixin, View):
    def dispute(self, request: HttpRequest, pk: int) -> Dispute:
        return get_object_or_404(Dispute.objects.visible_to(request.user).select_related("contract", "receivable"),
                                 pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = self.dispute(request, pk)
        now = timezone.now()
        return render(request, "dunning/dispute.html", {
            "dispute": dispute, "breached": dispute.breached(now), "left": dispute.time_left(now),
            "outcomes": DisputeOutcome.choices, "may_work": may_work(request.user)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not may_work(request.user):
            raise PermissionDenied
        dispute = self.dispute(request, pk)
        p = request.POST
        try:
            if p.get("operation") == "respond":
                services.respond(dispute, actor=request.user, text=p.get("text", ""))
            else:
                services.resolve(dispute, actor=request.user, outcome=p.get("outcome", ""),
                                 resolution=p.get("resolution", ""), adjust_by=p.get("adjust_by") or None)
            messages.success(request, _("Saved."))
        except (services.CaseError, ValueError) as exc:
            messages.error(request, notices.translated(str(exc)))
        return HttpResponseRedirect(reverse("dunning-dispute", args=[dispute.pk]))


class CustomerDisputeView(View):
    """The page a customer reaches through the link in a reminder: no login, a signed token (the
    notifications app's link names the contract and maybe the charge; dunning's own names the charge)."""

    def charges(self, token: str) -> list[Receivable]:
        contract_id, receivable_id = self.decode(token)
        lines = Receivable.objects.open().select_related("contract").filter(contract_id=contract_id,
                                                                             contract__status="signed")
        if receivable_id is not None:
            lines = lines.filter(pk=receivable_id)
        found = [line for line in lines.order_by("due_date", "pk") if line.outstanding > 0]
        if not found and receivable_id is not None:
            found = list(Receivable.objects.filter(pk=receivable_id, contract_id=contract_id))
        if not found:
            raise Http404
        return found

    def decode(self, token: str) -> tuple[int, int | None]:
        try:
            from huikuan.notifications.dispute_links import InvalidDisputeToken, verify_dispute_token
        except ImportError:
            pass
        else:
            try:
                decoded = verify_dispute_token(token)
                return decoded.contract_id, decoded.receivable_id
            except InvalidDisputeToken:
                pass
        try:
            receivable_id = receivable_from_token(token)
        except signing.BadSignature:
            raise Http404
        contract_id = Receivable.objects.filter(pk=receivable_id).values_list("contract_id", flat=True).first()
        if contract_id is None:
            raise Http404
        return contract_id, receivable_id

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return render(request, "dunning/customer_dispute.html", {"lines": self.charges(token), "done": False})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        lines = self.charges(token)
        chosen = next((x for x in lines if str(x.pk) == request.POST.get("receivable")), lines[0])
        try:
            services.open_dispute(receivable=chosen, reason=request.POST.get("reason", ""),
                                  source=DisputeSource.CUSTOMER_LINK)
        except (services.CaseError, ValueError) as exc:
            return render(request, "dunning/customer_dispute.html",
                          {"lines": lines, "error": notices.translated(str(exc))}, status=400)
        return render(request, "dunning/customer_dispute.html", {"lines": [chosen], "done": True})


class AgingReportView(LoginRequiredMixin, TemplateView):
    template_name = "dunning/aging.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        as_of = parse_day(self.request.GET.get("as_of"), timezone.localdate())
        report = aging_report(as_of, user=self.request.user)
        chart = {"buckets": list(report["buckets"]), "amounts": list(report["buckets"].values()),
                 "levels": list(report["levels"]), "level_amounts": [v["amount"] for v in report["levels"].values()]}
        return super().get_context_data(report=report, as_of=as_of, chart=chart, **kwargs)


class DunningReportView(LoginRequiredMixin, TemplateView):
    template_name = "dunning/dunning_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        date_to = parse_day(self.request.GET.get("to"), today)
        date_from = parse_day(self.request.GET.get("from"), date_to.replace(day=1))
        report = dunning_report(date_from, date_to, user=self.request.user)
        chart = {"steps": [f"{s['step']} ({s['channel']})" for s in report["steps"]],
                 "done": [s["done"] for s in report["steps"]],
                 "recovered": [s["recovered_after"] for s in report["steps"]]}
        return super().get_context_data(report=report, date_from=date_from, date_to=date_to, chart=chart, **kwargs)
