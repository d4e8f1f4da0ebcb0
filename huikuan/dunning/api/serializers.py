"""Dunning API shapes. Money is a decimal string; writes are validated here and carried out by
`dunning.services`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from huikuan.core.api.fields import MoneyField
from huikuan.dunning.choices import CallOutcome, DisputeOutcome, Level, RestructuringKind
from huikuan.dunning.models import CaseAction, CollectionCase, Dispute, PromiseToPay, Restructuring
from huikuan.receivables.models import Receivable


class CaseSerializer(serializers.ModelSerializer):
    contract_no = serializers.CharField(source="contract.contract_no", read_only=True)
    project = serializers.CharField(source="contract.project.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default="")
    owner_name = serializers.CharField(source="owner.get_username", read_only=True, default="")
    overdue = MoneyField(read_only=True)
    priority = serializers.CharField(read_only=True)

    class Meta:
        model = CollectionCase
        fields = ["id", "contract", "contract_no", "project", "customer", "customer_name", "status", "level",
                  "risk", "overdue", "days", "oldest_due", "priority", "owner", "owner_name", "owner_reason",
                  "on_hold_until", "hold_reason", "opened_on", "closed_on", "close_reason", "updated_on"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    step_name = serializers.CharField(source="step.name", read_only=True, default="")
    amount = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = CaseAction
        fields = ["id", "case", "kind", "step", "step_name", "channel", "status", "planned_on", "done_on",
                  "outcome", "reason", "amount", "message_ref", "document", "actor", "at"]
        read_only_fields = fields


class PromiseSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    received = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = PromiseToPay
        fields = ["id", "case", "amount", "pay_by", "made_on", "status", "received", "checked_on", "recorded_by"]
        read_only_fields = ["id", "status", "received", "checked_on", "recorded_by"]
        extra_kwargs = {"made_on": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("made_on", timezone.localdate())
        return attrs


class DisputeSerializer(serializers.ModelSerializer):
    amount = MoneyField(required=False)
    breached = serializers.SerializerMethodField()
    seconds_left = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = ["id", "receivable", "contract", "customer", "amount", "reason", "source", "opened_by",
                  "opened_at", "response_due_at", "first_response_at", "first_response", "owner", "status",
                  "outcome", "resolution", "resolved_at", "resolved_by", "waiver", "breached", "seconds_left"]
        read_only_fields = [f for f in fields if f not in ("receivable", "amount", "reason")]

    def get_breached(self, obj: Dispute) -> bool:
        return obj.breached()

    def get_seconds_left(self, obj: Dispute) -> int | None:
        left = obj.time_left()
        return None if left is None else int(left.total_seconds())


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class HoldSerializer(ReasonSerializer):
    until = serializers.DateField()


class EscalateSerializer(ReasonSerializer):
    to_level = serializers.ChoiceField(choices=Level.choices, required=False)


class CallSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class BulkSerializer(serializers.Serializer):
    cases: Any = serializers.PrimaryKeyRelatedField(queryset=CollectionCase.objects.all(), many=True)
    operation = serializers.ChoiceField(choices=["hold", "release", "escalate", "assign"])
    reason = serializers.CharField(max_length=255)
    until = serializers.DateField(required=False)
    owner = serializers.IntegerField(required=False)


class RespondSerializer(serializers.Serializer):
    text = serializers.CharField()


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices)
    resolution = serializers.CharField()
    adjust_by = MoneyField(required=False)


class RestructuringLineSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    amount = MoneyField()


class RestructuringSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)
    receivables = serializers.PrimaryKeyRelatedField(queryset=Receivable.objects.all(), many=True)
    lines = RestructuringLineSerializer(many=True, write_only=True)
    kind = serializers.ChoiceField(choices=RestructuringKind.choices)

    class Meta:
        model = Restructuring
        fields = ["id", "case", "kind", "receivables", "lines", "plan", "amount", "reason", "status",
                  "requested_by", "decided_by", "decided_at"]
        read_only_fields = ["id", "plan", "amount", "status", "requested_by", "decided_by", "decided_at"]
