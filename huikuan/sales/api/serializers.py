from __future__ import annotations

from rest_framework import serializers

from huikuan.customers.api.serializers import CustomerBriefSerializer
from huikuan.receivables.api.serializers import PlanLineSerializer
from huikuan.sales.models import Contract, ContractParty, Discount


class ContractPartySerializer(serializers.ModelSerializer):
    customer = CustomerBriefSerializer(read_only=True)

    class Meta:
        model = ContractParty
        fields = ["customer", "is_primary", "share"]
        read_only_fields = fields


class DiscountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Discount
        fields = ["description", "amount"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    building_name = serializers.CharField(source="unit.building.name", read_only=True)
    unit_number = serializers.CharField(source="unit.number", read_only=True)
    parties = ContractPartySerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "contract_no", "project", "project_name", "unit", "building_name", "unit_number",
                  "parties", "agent", "list_price", "price", "payment_method", "sign_date", "status",
                  "contract_area", "late_fee_daily_rate", "grace_days", "late_fee_cap_ratio",
                  "title_transfer_requires_full_payment", "area_rule", "area_band", "created_at"]
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    discounts = DiscountSerializer(many=True, read_only=True)
    receivables = PlanLineSerializer(many=True, read_only=True,
                                     help_text="the payment plan and later charges, with what each still owes")

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "discounts", "receivables"]
        read_only_fields = fields
