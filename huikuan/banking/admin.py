from django.contrib import admin

from .models import BankAccount, BankTransaction, DisbursementList, ImportJob, Match, PayerAlias, Statement


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ["account_no", "name", "bank", "project", "is_escrow", "currency"]
    list_filter = ["is_escrow", "bank"]
    search_fields = ["account_no", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imported and decided rows change only through the services (audited): read-only here."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "account", "format", "period_start", "period_end", "rows_total", "rows_new", "status"]
    list_filter = ["status", "format"]


@admin.register(BankTransaction)
class BankTransactionAdmin(ReadOnlyAdmin):
    list_display = ["date", "account", "amount", "counterparty", "memo", "bank_ref", "direction", "needs_review"]
    list_filter = ["direction", "needs_review"]
    search_fields = ["counterparty", "memo", "bank_ref", "key"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["transaction", "status", "exception_kind", "confidence", "contract", "decided_by", "decided_at"]
    list_filter = ["status", "exception_kind"]


@admin.register(PayerAlias)
class PayerAliasAdmin(admin.ModelAdmin):
    list_display = ["customer", "name", "account", "created_at"]
    search_fields = ["name", "account", "customer__name"]
    raw_id_fields = ["customer", "learnt_from"]


admin.site.register(DisbursementList, ReadOnlyAdmin)
admin.site.register(ImportJob, ReadOnlyAdmin)
