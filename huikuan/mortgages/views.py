"""Pages: the specialist's worklist, the team lead's board, the application with its timeline, the
bank comparison and the report with charts. Thin: reads come from `worklist`/`reports`, writes from
`services`, and row scope (`visible_to`) narrows every query."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from huikuan.core.services import business_calendar

from . import services
from .choices import Stage
from .models import LoanApplication, Notice, StageChange
from .pipeline import MortgageError, allowed_moves
from .reports import mortgages_report
from .worklist import bank_comparison, by_stage, work_items


class WorklistView(LoginRequiredMixin, TemplateView):
    """My open applications by stage, with days in stage against the SLA and documents due."""

    template_name = "mortgages/worklist.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        apps = LoanApplication.objects.visible_to(self.request.user).open().of_specialist(self.request.user)
        items = work_items(apps, today, business_calendar())
        unread = Notice.objects.filter(recipient=self.request.user, read_at__isnull=True)  # type: ignore[misc]
        notices, unread_count = unread[:20], unread.count()
        return super().get_context_data(today=today, stages=[s for s in by_stage(items) if s[2]], items=items,
                                        breached=sum(i.timer.breached for i in items),
                                        documents_overdue=sum(i.overdue_documents for i in items),
                                        notices=notices, unread_count=unread_count, **kwargs)


class BoardView(LoginRequiredMixin, TemplateView):
    """Every open application the team lead may see, in columns by stage."""

    template_name = "mortgages/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        apps = LoanApplication.objects.visible_to(self.request.user).open()
        return super().get_context_data(today=today, columns=by_stage(work_items(apps, today, business_calendar())),
                                        **kwargs)


class ApplicationDetailView(LoginRequiredMixin, DetailView):
    template_name = "mortgages/application_detail.html"
    context_object_name = "application"

    def get_queryset(self) -> Any:
        return (LoanApplication.objects.visible_to(self.request.user).with_related()
                .select_related("replaces", "guarantee")
                .prefetch_related(Prefetch("stage_changes", StageChange.objects.select_related("actor")
                                           .order_by("on", "id")), "documents", "pre_checks"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        app = self.object
        today = timezone.localdate()
        item = work_items(LoanApplication.objects.filter(pk=app.pk), today, business_calendar())[0]
        moves = [(s, Stage(s).label) for s in allowed_moves(app.stage) if s != Stage.DISBURSED]
        successor = LoanApplication.objects.filter(replaces=app).first()
        return super().get_context_data(item=item, moves=moves, successor=successor, today=today,
                                        can_move=self.request.user.has_perm("mortgages.move_stage"), **kwargs)


class MoveStageView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "mortgages.move_stage"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        app = get_object_or_404(LoanApplication.objects.visible_to(request.user), pk=pk)
        try:
            services.move_stage(actor=request.user, application=app, to=request.POST.get("to_stage", ""),
                                note=request.POST.get("note", "").strip()[:255],
                                over_quota_reason=request.POST.get("over_quota_reason", "").strip()[:255])
        except MortgageError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Moved to “%(stage)s”.") % {"stage": app.get_stage_display()})
        return HttpResponseRedirect(reverse("mortgage-detail", args=[app.pk]))


class NoticesReadView(LoginRequiredMixin, View):
    """Mark my notices read: the one posted as `notice`, or all of them."""

    def post(self, request: HttpRequest) -> HttpResponse:
        one = request.POST.get("notice", "")
        services.mark_notices_read(reader=request.user, ids=[int(one)] if one.isdigit() else None)
        return HttpResponseRedirect(reverse("mortgage-worklist"))


class BankComparisonView(LoginRequiredMixin, TemplateView):
    """Banks side by side: policy in force, agreement, quota use this month, measured speed."""

    template_name = "mortgages/banks.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        return super().get_context_data(today=today, rows=bank_comparison(today, self.request.user), **kwargs)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self, today: date) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or (date_to - timedelta(days=89))
        return (date_from, date_to) if date_from <= date_to else (date_to, date_from)


class ReportView(LoginRequiredMixin, TemplateView):
    """The `mortgages` report as a page: the table and two charts (funnel by stage, days per bank)."""

    template_name = "mortgages/report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PeriodForm(self.request.GET or None)
        date_from, date_to = form.period(timezone.localdate())
        report = mortgages_report(date_from, date_to, user=self.request.user)
        funnel = {"stages": [str(Stage(s).label) for s in report["funnel"]],
                  "counts": [str(n) for n in report["funnel"].values()]}
        speed = {"banks": [b["bank_name"] for b in report["banks"]],
                 "avg": [b["avg_days_to_disbursement"] for b in report["banks"]],
                 "p90": [b["p90_days_to_disbursement"] for b in report["banks"]],
                 "labels": {"avg": _("average days to disbursement"), "p90": _("90th percentile"),
                            "count": _("applications")}}
        return super().get_context_data(form=form, report=report, date_from=date_from, date_to=date_to,
                                        funnel=funnel, speed=speed, **kwargs)
