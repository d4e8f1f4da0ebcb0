from __future__ import annotations

from rest_framework import serializers

from huikuan.banking.models import BankAccount, BankTransaction, ImportJob, Match, MatchLine, Statement


class BankAccountSerializer(serializers.ModelSerializer):
    bank_name = serializers.CharField(source="bank.name", default="", read_only=True)
    project_name = serializers.CharField(source="project.name", default="", read_only=True)

    class Meta:
        model = BankAccount
        fields = ["id", "account_no", "name", "bank", "bank_name", "project", "project_name", "is_escrow", "currency"]


class StatementSerializer(serializers.ModelSerializer):
    account_no = serializers.CharField(source="account.account_no", read_only=True)

    class Meta:
        model = Statement
        fields = ["id", "account", "account_no", "file_name", "sha256", "format", "period_start", "period_end",
                  "opening_balance", "closing_balance", "rows_total", "rows_new", "rows_review", "status", "warnings",
                  "gaps", "imported_at"]


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    account_no = serializers.CharField(max_length=64)
    mapping = serializers.JSONField(required=False, help_text="column mapping (saved on the account)")


class ImportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "account_no", "file_name", "status", "total", "done", "percent", "statement", "message",
                  "created_at", "finished_at"]


class DisbursementListSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="the bank's list: CSV, XLS or XLSX with 合同编号 and/or 借款人 and 放款金额")


class ImportRetrySerializer(serializers.Serializer):
    mapping = serializers.JSONField(help_text="column mapping: {'columns': {field: header or 0-based index}, "
                                              "'header_line', 'date_format', 'dayfirst'} (saved on the account)")


class PreviewLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    cells = serializers.ListField(child=serializers.CharField(allow_blank=True))


class ImportPreviewSerializer(serializers.Serializer):
    lines = PreviewLineSerializer(many=True)
    header_line = serializers.IntegerField(allow_null=True, help_text="the line detection takes for the header")
    columns = serializers.DictField(child=serializers.CharField(), help_text="0-based column → field recognised")


class BankTransactionSerializer(serializers.ModelSerializer):
    account_no = serializers.CharField(source="account.account_no", read_only=True)

    class Meta:
        model = BankTransaction
        fields = ["id", "account", "account_no", "statement", "key", "date", "amount", "currency", "counterparty",
                  "counterparty_account", "memo", "balance", "bank_ref", "direction", "line_no", "confidence",
                  "needs_review"]


class MatchLineSerializer(serializers.ModelSerializer):
    contract_no = serializers.CharField(source="receivable.contract.contract_no", read_only=True)
    item = serializers.CharField(source="receivable.name", read_only=True)
    due_date = serializers.DateField(source="receivable.due_date", read_only=True)
    allocated = serializers.BooleanField(read_only=True)

    class Meta:
        model = MatchLine
        fields = ["id", "receivable", "contract_no", "item", "due_date", "amount", "allocated", "ledger_entry"]


class CandidateSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    contract_no = serializers.CharField()
    confidence = serializers.FloatField()


class MatchSerializer(serializers.ModelSerializer):
    transaction = BankTransactionSerializer(read_only=True)
    lines = MatchLineSerializer(many=True, read_only=True)
    contract_no = serializers.CharField(source="contract.contract_no", default="", read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = Match
        fields = ["id", "transaction", "status", "exception_kind", "confidence", "contract", "contract_no", "reasons",
                  "candidates", "lines", "note", "created_at", "decided_by", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class UnmatchSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class SplitLineSerializer(serializers.Serializer):
    receivable = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class SplitSerializer(serializers.Serializer):
    lines = SplitLineSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class WriteOffSerializer(serializers.Serializer):
    receivable = serializers.IntegerField(required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
