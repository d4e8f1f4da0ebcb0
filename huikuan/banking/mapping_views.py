"""Mapping a statement's columns by hand, where detection could not decide: the failed import's first rows with a
choice of field above each column; `jobs.retry_with_mapping` tries the mapping on those rows, then imports the file
again with it, and the account keeps it for its next statements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from . import notices
from .models import ImportJob
from .services.jobs import can_retry, preview_of, retry_with_mapping
from .statements import ColumnMapping, StatementError, guess_mapping
from .statements.values import clean
from .views import BankingAccess, visible_jobs

FIELD_LABELS = {
    "date": _("date"), "amount": _("amount (signed)"), "credit": _("income / credit"),
    "debit": _("expense / debit"), "dc": _("debit/credit mark (借/贷)"), "balance": _("balance"),
    "counterparty": _("payer / counterparty"), "counterparty_account": _("payer's account"), "memo": _("memo"),
    "bank_ref": _("bank reference"), "currency": _("currency"),
}


class MappingForm(forms.Form):
    """A field per column of the preview, the header line, the date format: a ColumnMapping."""

    header_line = forms.TypedChoiceField(label=_("header line"), coerce=int, required=False, empty_value=None)
    date_format = forms.CharField(label=_("date format"), required=False, max_length=32,
                                  help_text=_("only when dates are not recognised, e.g. %d.%m.%Y"))
    dayfirst = forms.BooleanField(label=_("nn/nn/yyyy is day first"), required=False, initial=True)

    def __init__(self, *args: Any, rows: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.width = max((len(r.cells) for r in rows), default=0)
        line, guessed = guess_mapping(rows)
        header = self.fields["header_line"]
        header.choices = [("", _("none (data from the first dated line)"))] + [  # type: ignore[attr-defined]
            (r.line_no, _("line %(n)s") % {"n": r.line_no}) for r in rows]
        header.initial = line
        choices = [("", "—"), *FIELD_LABELS.items()]
        for i in range(self.width):
            label = _("column %(n)s") % {"n": i + 1}
            self.fields[f"col_{i}"] = forms.ChoiceField(label=label, choices=choices, required=False,
                                                        initial=guessed.get(i, ""),
                                                        widget=forms.Select(attrs={"aria-label": label}))

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{i}"] for i in range(self.width)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        columns: dict[str, str | int] = {}
        for i in range(self.width):
            field = data.get(f"col_{i}")
            if field in columns:
                raise ValidationError(_("%(field)s is chosen for two columns") % {"field": FIELD_LABELS[field]})
            if field:
                columns[field] = i
        try:
            data["mapping"] = ColumnMapping(columns=columns, header_line=data.get("header_line"),
                                            date_format=data.get("date_format") or None,
                                            dayfirst=bool(data.get("dayfirst")))
        except StatementError as exc:
            raise ValidationError(notices.translated(str(exc)))
        return data


class JobMappingView(BankingAccess, PermissionRequiredMixin, View):
    permission_required = "banking.import_statement"
    template_name = "banking/mapping.html"

    def _job(self, request: HttpRequest, pk: int) -> ImportJob:
        return get_object_or_404(visible_jobs(request.user), pk=pk)

    def _page(self, request: HttpRequest, job: ImportJob, form: MappingForm | None, status: int = 200) -> HttpResponse:
        rows = form.rows if form is not None else []
        table = [(r.line_no, [clean(c) for c in r.cells] + [""] * ((form.width if form else 0) - len(r.cells)))
                 for r in rows]
        return render(request, self.template_name, {"job": job, "form": form, "table": table}, status=status)

    def _form(self, job: ImportJob, data: Any = None) -> MappingForm | None:
        if not can_retry(job):
            return None
        return MappingForm(data, rows=preview_of(job))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self._job(request, pk)
        try:
            return self._page(request, job, self._form(job))
        except StatementError as exc:
            return self._refused(request, job, exc)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self._job(request, pk)
        try:
            form = self._form(job, request.POST)
        except StatementError as exc:
            return self._refused(request, job, exc)
        if form is None or not form.is_valid():
            return self._page(request, job, form, status=400)
        try:
            retry = retry_with_mapping(actor=request.user, job=job, mapping=form.cleaned_data["mapping"])
        except StatementError as exc:  # the mapping does not fit the file's lines (nothing queued)
            form.add_error(None, notices.translated(str(exc)))
            return self._page(request, job, form, status=400)
        return redirect("banking:job", pk=retry.pk)

    def _refused(self, request: HttpRequest, job: ImportJob, exc: StatementError) -> HttpResponse:
        return render(request, self.template_name,
                      {"job": job, "form": None, "table": [], "refused": notices.translated(str(exc))}, status=409)
