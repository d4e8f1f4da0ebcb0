from django.contrib import admin

from .models import (
    AgingBucket,
    CaseAction,
    CollectionCase,
    Dispute,
    DunningPolicy,
    LevelChange,
    PolicyStep,
    PromiseToPay,
    Restructuring,
    ScanRun,
    WarningRule,
)


@admin.register(AgingBucket)
class AgingBucketAdmin(admin.ModelAdmin):
    list_display = ["label", "min_days", "max_days"]


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "min_days", "min_amount", "kinds", "min_risk", "min_sla_over", "position",
                    "active"]
    list_editable = ["position", "active"]


class PolicyStepInline(admin.TabularInline):
    model = PolicyStep
    extra = 0


@admin.register(DunningPolicy)
class DunningPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "kinds", "segment", "position", "active"]
    inlines = [PolicyStepInline]


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ["as_of", "status", "contracts_done", "contracts_total", "started_at", "finished_at"]
    readonly_fields = [f.name for f in ScanRun._meta.fields]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Case work changes only through the services (audit, rules); the admin shows it."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CollectionCase)
class CollectionCaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "contract", "status", "level", "overdue", "days", "owner", "priority"]
    list_filter = ["status", "level"]
    search_fields = ["contract__contract_no"]


@admin.register(CaseAction)
class CaseActionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "channel", "status", "planned_on", "done_on", "actor"]
    list_filter = ["kind", "status", "channel"]


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "receivable", "from_level", "to_level", "reason"]


@admin.register(PromiseToPay)
class PromiseToPayAdmin(ReadOnlyAdmin):
    list_display = ["case", "amount", "pay_by", "status"]


@admin.register(Restructuring)
class RestructuringAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "amount", "status", "requested_by", "decided_by"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "contract", "amount", "status", "response_due_at", "first_response_at", "owner"]
    list_filter = ["status"]
