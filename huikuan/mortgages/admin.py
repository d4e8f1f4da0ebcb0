from django.contrib import admin

from .models import (
    Bank,
    BankAgreement,
    BankPolicy,
    ChecklistItem,
    CreditPreCheck,
    DocumentTemplate,
    Guarantee,
    LoanApplication,
    Notice,
    ProjectLoanTerms,
    StageChange,
    StageSLA,
)


class StageSLAInline(admin.TabularInline):
    model = StageSLA
    extra = 0


class AgreementInline(admin.TabularInline):
    model = BankAgreement
    extra = 0


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "green_channel", "promised_disbursement_days"]
    inlines = [AgreementInline, StageSLAInline]


@admin.register(BankPolicy)
class BankPolicyAdmin(admin.ModelAdmin):
    """Read-only here: a policy is recorded through services.record_bank_policy (diff and notices)."""

    list_display = ["bank", "effective_from", "lpr_spread_bp", "first_home_min_down", "second_home_min_down",
                    "approval_days", "monthly_quota"]
    list_filter = ["bank"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "bank", "loan_kind", "required", "position"]
    list_filter = ["bank", "loan_kind", "kind"]


@admin.register(ProjectLoanTerms)
class ProjectLoanTermsAdmin(admin.ModelAdmin):
    list_display = ["project", "commercial_disbursement_days", "provident_disbursement_days"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "on", "at", "actor", "note"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    readonly_fields = ["kind", "name", "status", "due_on", "received_on"]


@admin.register(LoanApplication)
class LoanApplicationAdmin(admin.ModelAdmin):
    """Read-only: stages move through the application page or the API (services.move_stage)."""

    list_display = ["number", "contract", "bank", "loan_kind", "amount", "stage", "stage_entered_on", "specialist"]
    list_filter = ["stage", "bank", "loan_kind"]
    search_fields = ["number", "contract__contract_no"]
    inlines = [StageChangeInline, ChecklistInline]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(CreditPreCheck, list_display=["application", "checked_on", "result", "remedy"])
admin.site.register(Guarantee, list_display=["application", "bank", "amount", "started_on", "released_on", "status"])
admin.site.register(Notice, list_display=["recipient", "kind", "message", "created_at", "read_at"])
