from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from huikuan.customers.identity import mask_id
from huikuan.customers.models import Customer

ID_NUMBER_PERMISSION = "customers.view_id_number"


@extend_schema_field(OpenApiTypes.STR)
class IdNumberField(serializers.ReadOnlyField):
    """The ID number, masked (110105********1234) unless the user has customers.view_id_number."""

    def to_representation(self, value: Any) -> str:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.has_perm(ID_NUMBER_PERMISSION):
            return str(value)
        return mask_id(str(value))


class CustomerSerializer(serializers.ModelSerializer):
    id_number = IdNumberField(help_text="masked unless you have the permission customers.view_id_number")
    advisor_name = serializers.CharField(source="advisor.username", read_only=True, default=None)

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "id_number", "phone", "email", "customer_type", "is_vip", "advisor",
                  "advisor_name", "language", "referred_by", "created_at"]
        read_only_fields = fields


class CustomerBriefSerializer(serializers.ModelSerializer):
    """A customer as a contract shows it."""

    id_number = IdNumberField(help_text="masked unless you have the permission customers.view_id_number")

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "id_number", "phone", "is_vip"]
        read_only_fields = fields
