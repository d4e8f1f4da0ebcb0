"""The outbox pages: the list with filters, one message with its delivery attempts, template preview.

Every query goes through `visible_messages` / `Contract.objects.visible_to`, so row scope holds.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from huikuan.sales.models import Contract

from . import notices
from .channels.registry import channel_names
from .choices import MessageStatus, TemplateLanguage
from .models import Message, Template
from .querysets import visible_messages
from .rendering import TemplateMissing, render
from .services import NotificationError, requeue


class OutboxListView(LoginRequiredMixin, ListView):
    template_name = "notifications/outbox_list.html"
    context_object_name = "outbox"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Message]:
        found = visible_messages(self.request.user).select_related("customer", "contract")
        status = self.request.GET.get("status", "")
        if status in MessageStatus.values:
            found = found.filter(status=status)
        channel = self.request.GET.get("channel", "")
        if channel:
            found = found.filter(channel=channel)
        text = self.request.GET.get("q", "").strip()
        if text:
            found = found.filter(Q(customer__name__icontains=text) | Q(contract__contract_no__icontains=text)
                                 | Q(idempotency_key__icontains=text) | Q(recipient__icontains=text))
        return found.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        counts = dict(visible_messages(self.request.user).order_by().values_list("status")
                      .annotate(n=Count("pk")).values_list("status", "n"))
        return super().get_context_data(
            statuses=[(value, label, counts.get(value, 0)) for value, label in MessageStatus.choices],
            channels=channel_names(), status=self.request.GET.get("status", ""),
            channel=self.request.GET.get("channel", ""), q=self.request.GET.get("q", ""), **kwargs)


class MessageDetailView(LoginRequiredMixin, DetailView):
    template_name = "notifications/message_detail.html"
    context_object_name = "message"

    def get_queryset(self) -> QuerySet[Message]:
        return visible_messages(self.request.user).select_related("customer", "contract", "related_type")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(deliveries=self.object.deliveries.all(),
                                        can_requeue=self.request.user.has_perm("notifications.requeue_message"),
                                        **kwargs)


class MessageRequeueView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "notifications.requeue_message"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(visible_messages(request.user), pk=pk)
        try:
            requeue(actor=request.user, message=message)
            flash.success(request, _("The message is queued again."))
        except NotificationError as exc:
            flash.error(request, notices.translated(str(exc)))
        return redirect("notification-message", pk=pk)


class PreviewForm(forms.Form):
    template = forms.ChoiceField(label=gettext_lazy("step"))
    contract_no = forms.CharField(label=gettext_lazy("contract no."), max_length=64)
    as_of = forms.DateField(label=gettext_lazy("as of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        keys = Template.objects.order_by("key").values_list("key", flat=True).distinct()
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.ChoiceField)
        template_field.choices = [(k, k) for k in keys]


class TemplatePreviewView(LoginRequiredMixin, TemplateView):
    """Each language's e-mail and SMS for a chosen step and contract (its primary buyer)."""

    template_name = "notifications/template_preview.html"
    channels = ("email", "sms")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PreviewForm(self.request.GET or None)
        context = super().get_context_data(form=form, previews=[], **kwargs)
        if not form.is_valid():
            return context
        contract = (Contract.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
                    .select_related("project", "unit__building")
                    .filter(contract_no=form.cleaned_data["contract_no"].strip()).first())
        if contract is None:
            form.add_error("contract_no", _("No contract with this number that you may see."))
            return context
        party = contract.parties.select_related("customer").order_by("-is_primary", "pk").first()
        if party is None:
            form.add_error("contract_no", _("This contract has no buyer."))
            return context
        as_of: date = form.cleaned_data["as_of"] or timezone.localdate()
        previews = []
        try:
            for language, label in TemplateLanguage.choices:
                reader = copy.copy(party.customer)
                reader.language = language
                for channel in self.channels:
                    rendered = render(form.cleaned_data["template"], channel, reader,
                                      {"contract": contract, "as_of": as_of})
                    previews.append({"language": language, "language_label": label, "channel": channel,
                                     "rendered": rendered})
        except TemplateMissing as exc:
            form.add_error("template", notices.translated(str(exc)))
        context.update(previews=previews, contract=contract, customer=party.customer, as_of=as_of)
        return context
