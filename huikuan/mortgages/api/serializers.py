"""Read models of the loan pipeline and the request bodies of its actions.

Request serializers only validate and convert input; the views hand the result to `mortgages.services`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from huikuan.core.api.fields import MoneyField, ScopedPrimaryKeyRelatedField
from huikuan.mortgages.choices import PreCheckRemedy, PreCheckResult, Stage, WayOut
from huikuan.mortgages.models import (
    Bank,
    BankPolicy,
    ChecklistItem,
    CreditPreCheck,
    Guarantee,
    LoanApplication,
    Notice,
    StageChange,
)
from huikuan.sales.models import Contract

# --- read models ----------------------------------------------------------------------------


class BankSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bank
        fields = ["id", "code", "name", "short_name", "is_partner", "green_channel", "promised_disbursement_days"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True, default=None)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "kind", "message", "application", "application_number", "bank", "data", "created_at",
                  "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notice: Notice) -> bool:
        return notice.read_at is not None


class NoticesReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None,
                                help_text="the notices to mark read; left out: all of mine")


class StageChangeSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.get_username", read_only=True, default=None)
    from_stage = serializers.CharField(read_only=True, help_text="the stage left; empty for the first entry")

    class Meta:
        model = StageChange
        fields = ["id", "application", "from_stage", "to_stage", "on", "at", "actor", "actor_name", "note"]
        read_only_fields = fields


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "application", "kind", "name", "required", "status", "due_on", "received_on",
                  "last_reminded_on", "note"]
        read_only_fields = fields


class CreditPreCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditPreCheck
        fields = ["id", "application", "checked_on", "result", "findings", "remedy", "remedy_note"]
        read_only_fields = fields


class GuaranteeSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = Guarantee
        fields = ["amount", "started_on", "released_on", "status"]
        read_only_fields = fields


class LoanApplicationSerializer(serializers.ModelSerializer):
    contract_no = serializers.CharField(source="contract.contract_no", read_only=True)
    bank_code = serializers.CharField(source="bank.code", read_only=True)
    amount = MoneyField(read_only=True)
    disbursed_amount = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = LoanApplication
        fields = ["id", "number", "contract", "contract_no", "project", "receivable", "loan_kind", "bank",
                  "bank_code", "amount", "term_months", "rate", "specialist", "stage", "stage_entered_on",
                  "opened_on", "expected_disbursement_on", "conditionally_accepted", "replaces", "way_out",
                  "rejection_reason", "approved_on", "rejected_on", "disbursed_on", "disbursed_amount",
                  "registered_on"]
        read_only_fields = fields


class LoanApplicationDetailSerializer(LoanApplicationSerializer):
    stage_changes = StageChangeSerializer(many=True, read_only=True)
    documents = ChecklistItemSerializer(many=True, read_only=True)
    pre_checks = CreditPreCheckSerializer(many=True, read_only=True)
    guarantee = GuaranteeSerializer(read_only=True, allow_null=True)

    class Meta(LoanApplicationSerializer.Meta):
        fields = [*LoanApplicationSerializer.Meta.fields, "stage_changes", "documents", "pre_checks", "guarantee"]
        read_only_fields = fields


class BankPolicySerializer(serializers.ModelSerializer):
    monthly_quota = MoneyField(allow_null=True, required=False)

    class Meta:
        model = BankPolicy
        fields = ["id", "bank", "effective_from", "lpr_spread_bp", "first_home_min_down", "second_home_min_down",
                  "approval_days", "monthly_quota", "note", "diff", "recorded_at", "recorded_by"]
        read_only_fields = ["id", "diff", "recorded_at", "recorded_by"]
        validators: list = []  # the service refuses a second policy on the same day with a clear reason


# --- request bodies -------------------------------------------------------------------------


class OpenApplicationsSerializer(serializers.Serializer):
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    bank = serializers.PrimaryKeyRelatedField(queryset=Bank.objects.all())
    provident_bank = serializers.PrimaryKeyRelatedField(queryset=Bank.objects.all(), required=False,
                                                        allow_null=True,
                                                        help_text="the provident fund's entrusted bank")
    specialist = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False,
                                                    allow_null=True)
    term_months = serializers.IntegerField(min_value=1, max_value=360, default=360)
    on = serializers.DateField(required=False)


class StageMoveSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    on = serializers.DateField(required=False)
    over_quota_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255,
        help_text="submitting a loan the bank's monthly quota cannot take: why it goes to this bank anyway")


class StageChangeCreateSerializer(StageMoveSerializer):
    application = ScopedPrimaryKeyRelatedField(queryset=LoanApplication.objects.all())


class WayOutSerializer(serializers.Serializer):
    way_out = serializers.ChoiceField(choices=WayOut.choices)
    bank = serializers.PrimaryKeyRelatedField(queryset=Bank.objects.all(), required=False, allow_null=True)
    amount = MoneyField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    on = serializers.DateField(required=False)


class PreCheckSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=PreCheckResult.choices)
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    on = serializers.DateField(required=False)


class PreCheckRemedySerializer(serializers.Serializer):
    remedy = serializers.ChoiceField(choices=PreCheckRemedy.choices)
    bank = serializers.PrimaryKeyRelatedField(queryset=Bank.objects.all(), required=False, allow_null=True)
    amount = MoneyField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class DeferredItemSerializer(serializers.Serializer):
    document = serializers.IntegerField(help_text="checklist item id")
    due_on = serializers.DateField()


class ConditionalAcceptanceSerializer(serializers.Serializer):
    items = DeferredItemSerializer(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    on = serializers.DateField(required=False)


class ReceiveDocumentSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
