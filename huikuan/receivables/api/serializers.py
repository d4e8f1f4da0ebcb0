"""Read models of the ledger, and the request bodies of the write actions.

Request serializers only validate and convert input; the views hand the result to a service. No
serializer here saves a model.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from huikuan.core.api.fields import MoneyField, ScopedPrimaryKeyRelatedField
from huikuan.core.money import ZERO, money_str
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.models import (
    AreaSettlement,
    Cancellation,
    LedgerEntry,
    Receipt,
    Receivable,
    Waiver,
)
from huikuan.sales.models import Contract

# --- read models ----------------------------------------------------------------------------


class ReceivableSerializer(serializers.ModelSerializer):
    contract_no = serializers.CharField(source="contract.contract_no", read_only=True)
    outstanding = MoneyField(read_only=True, help_text="amount plus every ledger entry on it")

    class Meta:
        model = Receivable
        fields = ["id", "contract", "contract_no", "kind", "seq", "name", "due_date", "amount", "outstanding",
                  "created_at"]
        read_only_fields = fields


class PlanLineSerializer(serializers.ModelSerializer):
    """A receivable as the contract detail nests it."""

    outstanding = MoneyField(read_only=True)

    class Meta:
        model = Receivable
        fields = ["id", "kind", "seq", "name", "due_date", "amount", "outstanding"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "contract", "receivable", "kind", "amount", "receipt", "reverses", "posted_on", "note",
                  "created_at", "created_by"]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    """An allocation entry. `allocated` is what it applied (positive); a reversal shows a negative."""

    receivable_name = serializers.CharField(source="receivable.name", read_only=True)
    allocated = serializers.SerializerMethodField()
    reversed = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "contract", "receipt", "receivable", "receivable_name", "allocated", "amount",
                  "posted_on", "reverses", "reversed", "note", "created_at", "created_by"]
        read_only_fields = fields

    @extend_schema_field(MoneyField())
    def get_allocated(self, entry: LedgerEntry) -> str:
        return money_str(-entry.amount)

    def get_reversed(self, entry: LedgerEntry) -> bool:
        """True once a reversing entry undid this allocation (needs select_related("reversed_by"))."""
        return hasattr(entry, "reversed_by")


class ReceiptSerializer(serializers.ModelSerializer):
    contract_no = serializers.CharField(source="contract.contract_no", read_only=True, default=None)
    allocated = MoneyField(read_only=True)
    unallocated = MoneyField(read_only=True, help_text="credit left on the receipt")

    class Meta:
        model = Receipt
        fields = ["id", "number", "contract", "contract_no", "subscription", "amount", "allocated", "unallocated",
                  "received_on", "method", "source", "reference", "payer_name", "note", "created_at"]
        read_only_fields = fields


class ReceiptDetailSerializer(ReceiptSerializer):
    allocations = AllocationSerializer(many=True, read_only=True, source="allocation_entries")

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "allocations"]
        read_only_fields = fields


class WaiverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Waiver
        fields = ["id", "contract", "receivable", "amount", "reason", "status", "requested_by", "requested_at",
                  "decided_by", "decided_at", "entry"]
        read_only_fields = fields


class AreaSettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = AreaSettlement
        fields = ["id", "contract", "contract_area", "registered_area", "error_ratio", "unit_price", "amount",
                  "buyer_may_cancel", "receivable", "settled_on"]
        read_only_fields = fields


class CancellationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cancellation
        fields = ["id", "contract", "cancelled_on", "reason", "paid", "deductions", "interest", "refunded",
                  "moved_to"]
        read_only_fields = fields


class BalanceSerializer(serializers.Serializer):
    """receivables.balances: the one definition of due / received / outstanding / overdue / late fee."""

    as_of = serializers.DateField()
    contract_id = serializers.IntegerField()
    contract_no = serializers.CharField()
    status = serializers.CharField()
    price = MoneyField()
    due = MoneyField(help_text="plan amounts due on or before as_of")
    received = MoneyField(help_text="money received up to as_of, refunds subtracted")
    outstanding = MoneyField(help_text="price − received")
    overdue = MoneyField(help_text="due before as_of and still unpaid, receipts applied oldest-due first")
    late_fee = MoneyField(help_text="accrued to as_of from the contract terms")


# --- request bodies -------------------------------------------------------------------------


class BalanceQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="YYYY-MM-DD; today when absent")


class ReceiptCreateSerializer(serializers.Serializer):
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    amount = MoneyField(help_text='a positive decimal string, e.g. "350000.00"')
    received_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ReceiptMethod.choices, default=ReceiptMethod.BANK_TRANSFER)
    reference = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)
    payer_name = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    allocate = serializers.BooleanField(default=True, help_text="allocate oldest-due first at once")


class AllocationTargetSerializer(serializers.Serializer):
    receivable = ScopedPrimaryKeyRelatedField(queryset=Receivable.objects.all())
    amount = MoneyField(required=False, allow_null=True, default=None,
                        help_text="null or absent: as much as the receivable still owes")


class AllocateSerializer(serializers.Serializer):
    targets = AllocationTargetSerializer(
        many=True, required=False, allow_null=True, allow_empty=False, default=None,
        help_text="receivables to allocate to, in order; absent or null: oldest-due first over the contract")


class ReverseAllocationSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class RefundSerializer(serializers.Serializer):
    amount = MoneyField()
    on = serializers.DateField()
    reason = serializers.CharField(max_length=255)
    method = serializers.ChoiceField(choices=ReceiptMethod.choices, default=ReceiptMethod.REFUND)


class WaiverRequestSerializer(serializers.Serializer):
    receivable = ScopedPrimaryKeyRelatedField(queryset=Receivable.objects.all())
    amount = MoneyField()
    reason = serializers.CharField(max_length=255)


class WaiverDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class AreaSettlementRequestSerializer(serializers.Serializer):
    registered_area = serializers.DecimalField(max_digits=10, decimal_places=2,
                                               help_text="the surveyed (registered) area in m²")
    on = serializers.DateField()
    due_days = serializers.IntegerField(min_value=0, default=30,
                                        help_text="days until an additional payment falls due")


class CancelContractSerializer(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=255)
    deductions = MoneyField(default=ZERO, help_text="agreed deductions the developer keeps")
    interest = MoneyField(default=ZERO, help_text="interest owed to the buyer")
    refund_now = serializers.BooleanField(default=True)
