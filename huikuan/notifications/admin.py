from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .choices import MessageStatus
from .models import DeliveryAttempt, Message, OptOut, Template
from .services import NotificationError, requeue


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "language", "description", "provider_template", "updated_at"]
    list_filter = ["key", "language"]
    search_fields = ["key", "description", "subject", "body"]
    fieldsets = [
        (None, {"fields": ["key", "language", "description"]}),
        (_("E-mail and push"), {"fields": ["subject", "body"],
                                "description": _("Django template text. Names: customer_name, contract_no, "
                                                 "project, unit, as_of, items (name, due_date, amount, "
                                                 "outstanding, is_overdue, days_overdue), due, received, "
                                                 "outstanding, overdue, late_fee, amount_to_pay, pay "
                                                 "(account_name, bank, account_no, reference), dispute_url, "
                                                 "sender.")}),
        (_("SMS"), {"fields": ["sms_body", "provider_template"]}),
    ]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "at", "ok", "provider_id", "error"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "channel", "template_key", "language", "status", "status_reason",
                    "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel", "template_key", "language"]
    search_fields = ["idempotency_key", "customer__name", "recipient", "contract__contract_no"]
    list_select_related = ["customer"]
    inlines = [DeliveryAttemptInline]
    actions = ["requeue_failed"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in Message._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Queue the selected failed messages again"),
                  permissions=["change"])
    def requeue_failed(self, request: Any, queryset: Any) -> None:
        done = 0
        for message in queryset.filter(status=MessageStatus.FAILED):
            try:
                requeue(actor=request.user, message=message)
                done += 1
            except NotificationError:
                continue
        text = _("%(count)d message(s) queued again.") % {"count": done}
        self.message_user(request, text, messages.SUCCESS)


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "reason", "created_at", "created_by"]
    list_filter = ["channel"]
    search_fields = ["customer__name", "customer__phone", "customer__email"]
    raw_id_fields = ["customer"]
    readonly_fields = ["created_by"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
